package dev.tollgate.events.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing off passes a traceparent through untouched; on, a step is a child span in the same trace. */
class TracingTest {

    private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void isOffWithoutAnEndpointOrExporterAndThenPassesTheTraceparentThrough() {
        Tracing tracing = Tracing.from(Map.<String, String>of()::get, "test");
        assertThat(tracing.enabled()).isFalse();
        assertThat(Tracing.from(Map.of("OTEL_TRACES_EXPORTER", "none")::get, "test").enabled()).isFalse();
        try (Tracing.Step step = tracing.start("decide", SpanKind.CONSUMER, PARENT)) {
            assertThat(step.traceparent()).isEqualTo(PARENT);
        }
        assertThat(Tracing.fromConfigs(Map.of())).isSameAs(Tracing.off());
    }

    @Test
    void withAnOtlpEndpointAStepIsAChildSpanOfTheSameTrace() {
        // Nothing listens on port 9: exports fail quietly, spans are still created and propagated.
        try (Tracing tracing = Tracing.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")::get,
                "test")) {
            assertThat(tracing.enabled()).isTrue();
            try (Tracing.Step step = tracing.start("decide", SpanKind.CONSUMER, PARENT)) {
                assertThat(step.traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
                        .isNotEqualTo(PARENT).hasSize(PARENT.length());
            }
            try (Tracing.Step root = tracing.start("intake", SpanKind.SERVER, null)) {
                assertThat(root.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
            }
        }
    }
}
