package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DevProcessTest {

    private static final List<String> BANNER = List.of(
            "Tollgate dev stack ready in 31245 ms",
            "  Kafka bootstrap   127.0.0.1:40111",
            "  Schema registry   http://127.0.0.1:40112",
            "  Intake API        http://127.0.0.1:40113",
            "  Query API         http://127.0.0.1:40114",
            "  Data              /tmp/x",
            "Press Ctrl-C to stop.");

    @Test
    void readsTheAddressesFromTheReadinessBanner() {
        assertThat(DevProcess.field(BANNER, "Kafka bootstrap")).isEqualTo("127.0.0.1:40111");
        assertThat(DevProcess.field(BANNER, "Schema registry")).isEqualTo("http://127.0.0.1:40112");
        assertThat(DevProcess.field(BANNER, "Intake API")).isEqualTo("http://127.0.0.1:40113");
    }

    @Test
    void aMissingLineIsNamed() {
        assertThatThrownBy(() -> DevProcess.field(BANNER, "Gateway API"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Gateway API");
    }
}
