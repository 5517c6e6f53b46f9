package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

    private static final String DESIGN_EXAMPLE = """
            egress:
              allow:
                - "https://api.example.com/v1/"
                - "http://127.0.0.1:8099/public/"
            fs:
              root: ./data/files
            docs:
              root: ./data/docs
            outbox: ./data/outbox.jsonl
            timeouts:
              default: PT10S
              http.fetch: PT5S
            limits:
              maxResultBytes: 1048576
              concurrency: 64
            """;

    @Test
    void readsTheDesignDocumentExample() throws Exception {
        GatewayConfig config = GatewayConfig.fromYaml(
                new ByteArrayInputStream(DESIGN_EXAMPLE.getBytes(StandardCharsets.UTF_8)), Map.of());

        assertThat(config.egressAllow()).containsExactly("https://api.example.com/v1/",
                "http://127.0.0.1:8099/public/");
        assertThat(config.fsRoot()).isEqualTo(Path.of("data/files").toAbsolutePath());
        assertThat(config.docsRoot()).isEqualTo(Path.of("data/docs").toAbsolutePath());
        assertThat(config.outbox()).isEqualTo(Path.of("data/outbox.jsonl").toAbsolutePath());
        assertThat(config.timeout("http.fetch")).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.timeout("echo")).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxResultBytes()).isEqualTo(1048576);
        assertThat(config.concurrency()).isEqualTo(64);
    }

    @Test
    void overridesWinAndDefaultsLiveUnderTheDataDir() throws Exception {
        GatewayConfig config = GatewayConfig.fromYaml(new ByteArrayInputStream(new byte[0]),
                Map.of("data.dir", "/tmp/gw", "gateway.id", "gw-7"));

        assertThat(config.fsRoot()).isEqualTo(Path.of("/tmp/gw/files"));
        assertThat(config.outbox()).isEqualTo(Path.of("/tmp/gw/outbox.jsonl"));
        assertThat(config.signingPrivateKeyFile()).isEqualTo(Path.of("/tmp/gw/receipt-signing.key"));
        assertThat(config.transactionalId()).isEqualTo("tollgate-tool-gateway-gw-7");
        assertThat(config.egressAllow()).isEmpty();
    }

    @Test
    void refusesUnknownKeysAndBadValues() {
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("egres.allow", "x")))
                .hasMessageContaining("unknown key [egres.allow]");
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("timeouts.http.fetch", "5s")))
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> GatewayConfig.of(Map.of("limits.concurrency", "0")))
                .hasMessageContaining("limits.concurrency");
    }

    @Test
    void theDevDefaultReachesNothingAndKeepsEverythingUnderTheDataDir(@TempDir Path dir) {
        GatewayConfig config = GatewayDevDefaults.config(dir, "127.0.0.1:9092", "http://127.0.0.1:8081");

        assertThat(config.egressAllow()).isEmpty();
        assertThat(config.fsRoot().startsWith(dir)).isTrue();
        assertThat(config.outbox().startsWith(dir)).isTrue();
        assertThat(config.docsRoot().resolve("refunds.md")).exists();
    }

    @Test
    void everyKeyHasADoc() {
        assertThat(GatewayConfig.DECLARATION.def().configKeys().values())
                .allSatisfy(k -> assertThat(k.documentation).isNotBlank());
    }
}
