package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.intake.IntakeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServiceOptionsTest {

    @Test
    void laterSourcesWinFileThenClientConfigThenEnvironmentThenFlagsThenSet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("intake.properties");
        Files.writeString(file, "max.wait.ms=1000\nrate.limit.burst=7\nhttp.port=1\nmax.waiters=5\n"
                + "kafka.acks=1\n");
        Path client = dir.resolve("client.properties");
        Files.writeString(client, "acks=all\n");
        IntakeCommand command = new IntakeCommand();
        new CommandLine(command).parseArgs("--config", file.toString(), "--client-config", client.toString(),
                "--port", "9999", "--set", "max.waiters=6", "--bootstrap-servers", "broker:1");
        Map<String, String> env = Map.of("TOLLGATE_RATE_LIMIT_BURST", "8", "TOLLGATE_HTTP_PORT", "2",
                "TOLLGATE_BOOTSTRAP_SERVERS", "env:1");

        IntakeConfig config = IntakeConfig.of(command.options.values(IntakeConfig.DECLARATION,
                Map.of(IntakeConfig.HTTP_PORT.name(), "9999"), env));

        assertThat(config.getLong(IntakeConfig.MAX_WAIT_MS)).isEqualTo(1000);
        assertThat(config.getLong(IntakeConfig.RATE_LIMIT_BURST)).isEqualTo(8);
        assertThat(config.getInt(IntakeConfig.HTTP_PORT)).isEqualTo(9999);
        assertThat(config.getInt(IntakeConfig.MAX_WAITERS)).isEqualTo(6);
        assertThat(config.bootstrapServers()).isEqualTo("broker:1");
        assertThat(config.kafkaOverrides()).containsEntry("acks", "all");
    }

    @Test
    void theAdminKeyComesFromItsVariable() {
        IntakeCommand command = new IntakeCommand();
        new CommandLine(command).parseArgs();
        IntakeConfig config = IntakeConfig.of(command.options.values(IntakeConfig.DECLARATION, Map.of(),
                Map.of("TOLLGATE_ADMIN_KEY", "tg_0123456789abcdefghij")));
        assertThat(config.optional(IntakeConfig.ADMIN_KEY)).contains("tg_0123456789abcdefghij");
    }

    @Test
    void aYamlConfigFileIsReadAsDottedKeysWithTheOldSpelling(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "topics:\n  create: false\nlimits:\n  concurrency: 2\negress:\n  allow:\n"
                + "    - https://a.example/\n    - https://b.example/\n");
        ToolGatewayCommand command = new ToolGatewayCommand();
        new CommandLine(command).parseArgs("--config", file.toString(), "--gateway-id", "gw-9");
        GatewayConfig config = GatewayConfig.of(command.options.values(GatewayConfig.DECLARATION,
                Map.of(GatewayConfig.GATEWAY_ID.name(), "gw-9"), Map.of("TOLLGATE_LIMITS_CONCURRENCY", "3")));
        assertThat(config.createTopics()).isFalse();
        assertThat(config.concurrency()).isEqualTo(3);
        assertThat(config.gatewayId()).isEqualTo("gw-9");
        assertThat(config.egressAllow()).containsExactly("https://a.example/", "https://b.example/");
    }
}
