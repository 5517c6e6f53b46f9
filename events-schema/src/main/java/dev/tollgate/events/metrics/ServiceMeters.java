package dev.tollgate.events.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The one Micrometer wiring every service shares: a Prometheus registry with the JVM's meters, the way a service's
 * registry reaches code that Kafka instantiates by class name (Streams processors read it from
 * {@code context.appConfigs()}, exception handlers from their {@code configure} map, under {@link #REGISTRY_CONFIG}),
 * Kafka Streams' own metrics with a state gauge, and the dead-letter counter every consumer of Tollgate topics uses.
 * Meter names and labels are documented in docs/operations.md. No business rules.
 */
public final class ServiceMeters {

    /** Config key (Streams properties, client configs) whose value is the service's {@link MeterRegistry}. */
    public static final String REGISTRY_CONFIG = "tollgate.meter.registry";
    /** Content type of {@code GET /metrics}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private ServiceMeters() {
    }

    /** A new Prometheus registry with JVM memory, threads, CPU and uptime. */
    public static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * The registry a service put into {@code configs} under {@link #REGISTRY_CONFIG}; without one (tests that run a
     * topology alone) a registry with no backend, which records nothing.
     */
    public static MeterRegistry from(Map<String, ?> configs) {
        Object registry = configs == null ? null : configs.get(REGISTRY_CONFIG);
        return registry instanceof MeterRegistry meters ? meters : new CompositeMeterRegistry();
    }

    /**
     * Kafka Streams' metrics (commits, commit latency, consumer lag per partition, ...) and
     * {@code tollgate_streams_state{app, state}}: 1 for the client's current state, 0 for the others. The caller
     * closes the returned binder with the client.
     */
    public static AutoCloseable bindStreams(KafkaStreams streams, MeterRegistry registry, String app,
                                            Supplier<KafkaStreams.State> state) {
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        for (KafkaStreams.State candidate : KafkaStreams.State.values()) {
            Gauge.builder("tollgate.streams.state", state, s -> s.get() == candidate ? 1 : 0)
                    .tag("app", app).tag("state", candidate.name()).strongReference(true)
                    .description("1 for the Kafka Streams client's current state").register(registry);
        }
        return metrics;
    }

    /**
     * Counts one record sent to {@code tollgate.dlq.v1}: {@code tollgate_dead_letters_total{source_topic, reason}},
     * the reason being the stage family ({@code deserialization}, {@code processing}, ...), never a free text.
     */
    public static void deadLetter(MeterRegistry registry, String sourceTopic, String stage) {
        String reason = stage == null || stage.isBlank() ? "unknown"
                : stage.split(":", 2)[0].toLowerCase(Locale.ROOT);
        Counter.builder("tollgate.dead.letters").tag("source_topic", sourceTopic == null ? "" : sourceTopic)
                .tag("reason", reason).description("Records sent to tollgate.dlq.v1").register(registry).increment();
    }

    /**
     * Times one HTTP request in {@code tollgate_http_server_requests_seconds{method, route, status}}, a histogram;
     * {@code route} is the route template ({@code /v1/runs/{runId}}), never the path, so labels stay bounded.
     */
    public static void httpRequest(MeterRegistry registry, String method, String route, int status, long nanos) {
        Timer.builder("tollgate.http.server.requests").tag("method", method).tag("route", route)
                .tag("status", Integer.toString(status)).description("HTTP requests served")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
