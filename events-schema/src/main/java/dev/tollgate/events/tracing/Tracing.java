package dev.tollgate.events.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenTelemetry for one service: spans around the steps a request takes (intake request, decision, dispatch
 * execution, completion), parented by the W3C {@code traceparent} that travels in the command envelope and as a
 * record header on every topic. Configured by the standard {@code OTEL_*} environment variables through the SDK's
 * autoconfiguration, and only when {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or {@code OTEL_TRACES_EXPORTER}, not
 * {@code none}) is set: otherwise {@link #off()} creates no OpenTelemetry object at all and a step's traceparent is
 * its parent's, passed through unchanged. No business rules.
 */
public final class Tracing implements AutoCloseable {

    /** The record header and HTTP header name of the W3C trace context. */
    public static final String TRACEPARENT = "traceparent";
    private static final TextMapSetter<Map<String, String>> SETTER = Map::put;
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final Tracing OFF = new Tracing(null, null);
    /** Config key (Streams properties) whose value is the service's {@link Tracing}. */
    public static final String CONFIG = "tollgate.tracing";

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private Tracing(OpenTelemetrySdk sdk, Tracer tracer) {
        this.sdk = sdk;
        this.tracer = tracer;
    }

    /** No spans, no exporter: traceparents pass through unchanged. */
    public static Tracing off() {
        return OFF;
    }

    /** The {@link Tracing} a service put into {@code configs} under {@link #CONFIG}, else {@link #off()}. */
    public static Tracing fromConfigs(Map<String, ?> configs) {
        Object tracing = configs == null ? null : configs.get(CONFIG);
        return tracing instanceof Tracing t ? t : OFF;
    }

    /**
     * From the process environment: {@link #off()} unless an OTLP endpoint or a traces exporter is configured, by an
     * {@code OTEL_*} variable or by its {@code otel.*} system property (the SDK's own equivalence:
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT} and {@code -Dotel.exporter.otlp.endpoint} mean the same).
     */
    public static Tracing fromEnvironment(String serviceName) {
        return from(Tracing::environmentOrSystemProperty, serviceName);
    }

    static String environmentOrSystemProperty(String variable) {
        String value = System.getenv(variable);
        return value != null ? value : System.getProperty(variable.toLowerCase(Locale.ROOT).replace('_', '.'));
    }

    /**
     * As {@link #fromEnvironment}, deciding whether to trace through {@code env}; the SDK itself reads the standard
     * {@code OTEL_*} variables and {@code otel.*} system properties ({@code serviceName} unless
     * {@code OTEL_SERVICE_NAME} says otherwise).
     */
    public static Tracing from(Function<String, String> env, String serviceName) {
        if (!enabled(env)) {
            return OFF;
        }
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.service.name", serviceName, "otel.metrics.exporter",
                        "none", "otel.logs.exporter", "none"))
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
        return new Tracing(sdk, sdk.getTracer("dev.tollgate"));
    }

    static boolean enabled(Function<String, String> env) {
        String endpoint = env.apply("OTEL_EXPORTER_OTLP_ENDPOINT");
        String exporter = env.apply("OTEL_TRACES_EXPORTER");
        return endpoint != null && !endpoint.isBlank()
                || exporter != null && !exporter.isBlank() && !exporter.equalsIgnoreCase("none");
    }

    /** Whether spans are recorded and exported. */
    public boolean enabled() {
        return sdk != null;
    }

    /**
     * Starts a span named {@code name} as a child of {@code parentTraceparent} (null or invalid: a new trace). Close
     * the returned step to end it; its {@link Step#traceparent()} is what the step passes on.
     */
    public Step start(String name, SpanKind kind, String parentTraceparent) {
        if (sdk == null) {
            return new Step(null, parentTraceparent);
        }
        Map<String, String> carrier = new HashMap<>();
        if (parentTraceparent != null) {
            carrier.put(TRACEPARENT, parentTraceparent);
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
        Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
        Map<String, String> out = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(parent.with(span), out, SETTER);
        return new Step(span, out.getOrDefault(TRACEPARENT, parentTraceparent));
    }

    @Override
    public void close() {
        if (sdk != null) {
            sdk.close();
        }
    }

    /** A started span (or, tracing off, just the parent's traceparent). */
    public static final class Step implements AutoCloseable {
        private final Span span;
        private final String traceparent;

        Step(Span span, String traceparent) {
            this.span = span;
            this.traceparent = traceparent;
        }

        /** The traceparent this step passes on: its own span's, or the parent's when tracing is off. */
        public String traceparent() {
            return traceparent;
        }

        /** Adds an attribute (never a payload or a secret). */
        public Step attribute(String key, String value) {
            if (span != null && value != null) {
                span.setAttribute(key, value);
            }
            return this;
        }

        /** Marks the span failed with a short description (no payload). */
        public void error(String description) {
            if (span != null) {
                span.setStatus(StatusCode.ERROR, description);
            }
        }

        @Override
        public void close() {
            if (span != null) {
                span.end();
            }
        }
    }
}
