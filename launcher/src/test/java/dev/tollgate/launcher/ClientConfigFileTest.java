package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClientConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void mergesTheFileIntoTheClientConfigAndKafkaResolvesEnvironmentVariables() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, String.join("\n",
                "# the secure profile's shape",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-512",
                "config.providers=env",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"admin\" password=\"${env:PATH}\";"));
        WithCluster parsed = new WithCluster();
        new CommandLine(parsed).parseArgs("--bootstrap-servers", "kafka-1:9092", "--client-config", file.toString());

        // Not clientConfig(): that asks kafka-1:9092 first (UnreachableClusterTest), and no such host exists here.
        Map<String, Object> config = parsed.cluster.baseConfig();
        assertThat(config).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("bootstrap.servers", "kafka-1:9092")
                .containsEntry("client.id", "tollgate-cli");
        // Tollgate passes ${env:...} through untouched; the Kafka client resolves it when it is created.
        assertThat((String) config.get("sasl.jaas.config")).contains("${env:PATH}");
        AdminClientConfig resolved = new AdminClientConfig(new HashMap<>(config));
        assertThat(resolved.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value()).contains(System.getenv("PATH"))
                .doesNotContain("${env:");
    }

    @Test
    void hasNoClientConfigUnlessGiven() {
        WithCluster parsed = new WithCluster();
        new CommandLine(parsed).parseArgs();
        assertThat(parsed.cluster.clientConfigFile()).isEqualTo(
                Optional.ofNullable(System.getenv("TOLLGATE_CLIENT_CONFIG")).map(Path::of));
    }

    @Test
    void prefixesThePropertiesForAServiceConfig() throws IOException {
        Path file = dir.resolve("gateway.properties");
        Files.writeString(file, "security.protocol=SASL_PLAINTEXT\n");
        assertThat(ClientConfigFile.load(file, "kafka.")).containsExactly(
                Map.entry("kafka.security.protocol", "SASL_PLAINTEXT"));
        assertThat(ClientConfigFile.load(null, "kafka.")).isEmpty();
    }

    @Test
    void refusesBootstrapServersInTheFileAndNamesAMissingFile() throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
        assertThatThrownBy(() -> ClientConfigFile.load(file)).hasMessageContaining("--bootstrap-servers");
        assertThatThrownBy(() -> ClientConfigFile.load(dir.resolve("missing.properties")))
                .hasMessageContaining("missing.properties");
    }

    @CommandLine.Command(name = "with-cluster")
    static final class WithCluster implements Runnable {
        @CommandLine.Mixin
        ClusterOptions cluster;

        @Override
        public void run() {
        }
    }
}
