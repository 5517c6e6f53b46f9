package dev.tollgate.events.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDeclarationTest {

    private final ConfigDeclaration declaration = new ConfigDeclaration("demo")
            .define("http.port", Type.INT, 8080, Range.between(0, 65535), "HTTP port.")
            .define("admin.key", Type.PASSWORD, null, null, "A secret.")
            .define("create.topics", Type.BOOLEAN, true, null, "Create topics.")
            .define("limits.maxInFlight", Type.INT, 10, Range.atLeast(1), "Camel case.")
            .openPrefix("timeouts.", "Per-tool timeouts.")
            .alias("topics.create", "create.topics")
            .alias("streams.", ConfigDeclaration.KAFKA_PREFIX);

    @Test
    void parsesTypedValuesWithDefaults() {
        ParsedConfig config = declaration.parse(Map.of("http.port", " 9090 "));
        assertThat(config.getInt("http.port")).isEqualTo(9090);
        assertThat(config.getBoolean("create.topics")).isTrue();
        assertThat(config.text("admin.key")).isNull();
    }

    @Test
    void namesEveryUnknownKeyAndTheInvalidValue() {
        assertThatThrownBy(() -> declaration.parse(Map.of("http.prot", "1", "kafka.", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown keys")
                .hasMessageContaining("http.prot").hasMessageContaining("kafka.");
        assertThatThrownBy(() -> declaration.parse(Map.of("http.port", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    }

    @Test
    void readsOldSpellingsAsTheCurrentKeys() {
        ParsedConfig config = declaration.parse(Map.of("topics.create", "false", "streams.linger.ms", "5",
                "kafka.acks", "all", "timeouts.fs.read", "PT1S"));
        assertThat(config.getBoolean("create.topics")).isFalse();
        assertThat(config.kafkaClientConfig()).containsEntry("linger.ms", "5").containsEntry("acks", "all");
        assertThat(config.family("timeouts.fs.read")).isEqualTo("PT1S");
    }

    @Test
    void takesDeclaredKeysFromTheEnvironmentOnly() {
        Map<String, String> env = Map.of("TOLLGATE_HTTP_PORT", "7070", "TOLLGATE_LIMITS_MAXINFLIGHT", "3",
                "TOLLGATE_KAFKA_PASSWORD", "s3cret", "TOLLGATE_CLIENT_CONFIG", "/x", "PATH", "/bin");
        assertThat(declaration.fromEnvironment(env)).containsExactlyInAnyOrderEntriesOf(
                Map.of("http.port", "7070", "limits.maxInFlight", "3"));
        assertThat(ConfigDeclaration.envName("max.body.bytes")).isEqualTo("TOLLGATE_MAX_BODY_BYTES");
    }

    @Test
    void readsAPropertiesFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("demo.properties");
        Files.writeString(file, "http.port=1234\nkafka.security.protocol = SSL\n");
        assertThat(declaration.parse(ConfigDeclaration.fromFile(file)).getInt("http.port")).isEqualTo(1234);
        assertThatThrownBy(() -> ConfigDeclaration.fromFile(dir.resolve("missing.properties")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.properties");
    }

    @Test
    void neverPrintsSecretsOrPassThroughValues() {
        ParsedConfig config = declaration.parse(Map.of("admin.key", "tg_top_secret_value",
                "kafka.sasl.jaas.config", "password=\"hunter2\""));
        assertThat(config.toString()).doesNotContain("tg_top_secret_value").doesNotContain("hunter2")
                .contains("kafka.sasl.jaas.config");
        assertThat(config.text("admin.key")).isEqualTo("tg_top_secret_value");
    }

    @Test
    void documentsEveryKeyWithItsTypeDefaultAndVariable() {
        assertThat(declaration.markdown()).contains("| `http.port` | int | 8080 | [0,...,65535] | "
                + "`TOLLGATE_HTTP_PORT` | HTTP port. |", "`topics.create` as `create.topics`", "`timeouts.<name>`");
        assertThat(declaration.helpText()).contains("http.port (int, default 8080)  TOLLGATE_HTTP_PORT",
                "admin.key (secret, default (none))");
        assertThat(declaration.def().configKeys().values()).allSatisfy(k -> assertThat(k.importance)
                .isEqualTo(ConfigDef.Importance.MEDIUM));
    }
}
