package dev.tollgate.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IntakeConfigTest {

    @Test
    void fillsDefaultsAndPassesKafkaOverridesThrough() {
        IntakeConfig config = IntakeConfig.of(Map.of("kafka.security.protocol", "SSL"));
        assertThat(config.getInt(IntakeConfig.HTTP_PORT)).isEqualTo(8080);
        assertThat(config.getLong(IntakeConfig.MAX_BODY_BYTES)).isEqualTo(1024 * 1024);
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.optional(IntakeConfig.ADMIN_KEY)).isEmpty();
        assertThat(config.kafkaOverrides()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void refusesUnknownKeysAndInvalidValues() {
        assertThatThrownBy(() -> IntakeConfig.of(Map.of("http.prot", "1"))).hasMessageContaining("unknown key");
        assertThatThrownBy(() -> IntakeConfig.of(Map.of("http.port", "-1"))).hasMessageContaining("http.port");
        assertThatThrownBy(() -> IntakeConfig.of(Map.of("admin.key", "secret-value")))
                .hasMessageContaining("admin.key").hasMessageNotContaining("secret-value");
    }

    @Test
    void neverShowsTheAdminKey() {
        String key = "tg_abcdefghijklmnopqrstuvwxyz";
        assertThat(IntakeConfig.of(Map.of("admin.key", key)).toString()).doesNotContain(key).contains("(hidden)");
    }
}
