package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing switched on the standard OpenTelemetry way ({@code otel.exporter.otlp.endpoint}, the system-property twin of
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}): one governed {@code http.fetch} call sent to intake with a W3C traceparent is
 * exported over OTLP/HTTP (protobuf) by intake, the policy-processor and the tool-gateway as spans of that one trace
 * (intake request, decision, execution, completion), each span's parent being the caller's span or another span of
 * the trace, and the gateway's outbound request carries the same trace. The OTLP receiver is a loopback HTTP endpoint
 * that decodes the exporter's real requests with the OTLP protobuf classes.
 */
class OtlpTracingIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TRACE_ID = "5af92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";
    private static final Map<String, String> OTEL_PROPERTIES = Map.of(
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.bsp.schedule.delay", "100");
    private final HttpClient http = HttpClient.newHttpClient();

    private record ExportedSpan(String service, String name, String traceId, String spanId, String parentSpanId) {
    }

    @Test
    void oneGovernedCallIsOneTraceAcrossIntakeProcessorAndGateway(@TempDir Path dataDir) throws Exception {
        List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                spans.addAll(decode(ExportTraceServiceRequest.parseFrom(in.readAllBytes())));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        List<String> upstreamTraceparents = new CopyOnWriteArrayList<>();
        HttpServer upstream = TracingIT.upstream(upstreamTraceparents);
        String target = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/public/";
        DevSettings settings = new DevSettings(dataDir, 0, 0, FreePorts.next(), FreePorts.next(), Optional.empty());
        String adminKey = ApiKeys.generate();
        List<DevComponent.Factory> components = TracingIT.components(target, adminKey);
        OTEL_PROPERTIES.forEach(System::setProperty);
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort());
        try (DevStack stack = new DevStack(settings, components, new PrintWriter(Writer.nullWriter()))) {
            stack.start();
            String intake = "http://127.0.0.1:" + settings.intakePort();
            String agentKey = post(intake + "/v1/identities", adminKey, null, Map.of("name", "traced-agent",
                    "kind", "agent", "tenant", "acme", "roles", List.of())).path("apiKey").asText();
            String runId = post(intake + "/v1/runs", agentKey, null, Map.of("workflow", "support-triage",
                    "environment", "staging", "classification", "Internal", "input", Map.of())).path("runId").asText();

            JsonNode call = post(intake + "/v1/runs/" + runId + "/tool-calls?waitMs=30000", agentKey, TRACEPARENT,
                    Map.of("tool", "http.fetch", "args", Map.of("url", target + "status")));
            assertThat(call.path("status").asText()).as(call.toString()).isEqualTo("SUCCEEDED");

            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(inTrace(spans))
                    .extracting(ExportedSpan::name)
                    .contains("intake RequestToolCall", "decide RequestToolCall", "execute http.fetch",
                            "complete http.fetch"));
            List<ExportedSpan> trace = inTrace(spans);
            assertThat(trace).extracting(ExportedSpan::service)
                    .contains("tollgate-intake", "tollgate-policy-processor", "tollgate-tool-gateway");
            Set<String> known = trace.stream().map(ExportedSpan::spanId).collect(Collectors.toSet());
            known.add(CALLER_SPAN);
            assertThat(trace).allSatisfy(span -> assertThat(known).as(span.toString()).contains(span.parentSpanId()));
            ExportedSpan intakeSpan = named(trace, "intake RequestToolCall");
            assertThat(intakeSpan.parentSpanId()).isEqualTo(CALLER_SPAN);
            ExportedSpan execute = named(trace, "execute http.fetch");
            assertThat(upstreamTraceparents).hasSize(1);
            assertThat(upstreamTraceparents.get(0)).startsWith("00-" + TRACE_ID + "-");
            assertThat(upstreamTraceparents.get(0)).isNotEqualTo(TRACEPARENT).contains(execute.spanId());
        } finally {
            OTEL_PROPERTIES.keySet().forEach(System::clearProperty);
            System.clearProperty("otel.exporter.otlp.endpoint");
            upstream.stop(0);
            collector.stop(0);
        }
    }

    private static List<ExportedSpan> inTrace(List<ExportedSpan> spans) {
        return spans.stream().filter(span -> span.traceId().equals(TRACE_ID)).toList();
    }

    private static ExportedSpan named(List<ExportedSpan> spans, String name) {
        return spans.stream().filter(span -> span.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<ExportedSpan> decode(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        List<ExportedSpan> decoded = new ArrayList<>();
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String service = resource.getResource().getAttributesList().stream()
                    .filter(attribute -> attribute.getKey().equals("service.name"))
                    .map(KeyValue::getValue).map(AnyValue::getStringValue).findFirst().orElse("");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                scope.getSpansList().forEach(span -> decoded.add(new ExportedSpan(service, span.getName(),
                        hex.formatHex(span.getTraceId().toByteArray()), hex.formatHex(span.getSpanId().toByteArray()),
                        hex.formatHex(span.getParentSpanId().toByteArray()))));
            }
        }
        return decoded;
    }

    private JsonNode post(String url, String apiKey, String traceparent, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " " + response.body()).isBetween(200, 299);
        return MAPPER.readTree(response.body());
    }
}
