package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TollgateTest {

    @Test
    void listsItsSubcommandsInTheHelp() {
        CommandRun run = CommandRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: tollgate", "dev", "topics");
    }

    @Test
    void printsTheVersions() {
        CommandRun run = CommandRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("tollgate ").contains("Apache Kafka 4.3.1");
    }

    @Test
    void refusesAnUnknownCommandWithAUsageError() {
        CommandRun run = CommandRun.of("no-such-command");
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("no-such-command");
    }

    @Test
    void showsUsageWithoutASubcommand() {
        CommandRun run = CommandRun.of();
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("Usage: tollgate");
    }

    @Test
    void defaultsOperatorCommandsToTheDevStack() {
        WithCluster parsed = new WithCluster();
        new CommandLine(parsed).parseArgs();
        assertThat(parsed.cluster.bootstrapServers()).isEqualTo(
                System.getenv().getOrDefault("TOLLGATE_BOOTSTRAP_SERVERS", "localhost:9092"));
        assertThat(parsed.cluster.schemaRegistryUrl()).isEqualTo(
                System.getenv().getOrDefault("TOLLGATE_SCHEMA_REGISTRY_URL", "http://localhost:8081"));

        new CommandLine(parsed).parseArgs("--bootstrap-servers", "kafka:29092",
                "--schema-registry-url", "http://sr:8081");
        assertThat(parsed.cluster.bootstrapServers()).isEqualTo("kafka:29092");
        assertThat(parsed.cluster.schemaRegistryUrl()).isEqualTo("http://sr:8081");
    }

    @Test
    void reportsAFailingCommandInOneLine() {
        CommandRun run = CommandRun.of("topics", "--bootstrap-servers", "not a host list");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("tollgate: ").doesNotContain("\tat ");
    }

    @CommandLine.Command(name = "with-cluster")
    static final class WithCluster {
        @CommandLine.Mixin
        ClusterOptions cluster;
    }
}
