package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.launcher.security.TollgateAcls;
import org.junit.jupiter.api.Assumptions;
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

    @Test
    void printsEveryAclBindingOnItsOwnLine() {
        CommandRun run = CommandRun.of("acls", "print");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(TollgateAcls.all().size())
                .contains("User:policy-processor ALLOW WRITE on TOPIC tollgate.ledger.v1 (LITERAL) from *")
                .noneMatch(line -> line.startsWith("User:agent ALLOW WRITE on TOPIC tollgate.ledger.v1"));
    }

    @Test
    void appliesNoAclsWhenNotEnabled() {
        CommandRun run = CommandRun.of("acls", "apply", "--create-users", "--enabled=false",
                "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("ACLs not applied");
    }

    @Test
    void refusesToCreateUsersWithoutTheirPasswordsBeforeConnecting() {
        Assumptions.assumeTrue(System.getenv("TOLLGATE_PASSWORD_POLICY_PROCESSOR") == null);
        CommandRun run = CommandRun.of("acls", "apply", "--create-users", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("tollgate: ").contains("TOLLGATE_PASSWORD_POLICY_PROCESSOR");
    }

    @CommandLine.Command(name = "with-cluster")
    static final class WithCluster {
        @CommandLine.Mixin
        ClusterOptions cluster;
    }
}
