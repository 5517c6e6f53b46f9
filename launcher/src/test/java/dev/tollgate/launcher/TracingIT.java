package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.GatewayDevDefaults;
import dev.tollgate.gateway.ToolGatewayApp;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent request followed across the stack by its W3C traceparent (tracing off, the default: the header passes
 * through unchanged): sent to intake with a tool call, it comes back on the answer, travels as a record header on
 * the command, the ledger events, the dispatch and the tool result (read with plain consumers), reaches the
 * gateway's outbound request (a local HTTP server on loopback as the http.fetch target), and shows as the trace id
 * in {@code GET /v1/runs/{runId}/events}.
 */
class TracingIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theTraceparentSentToIntakeTravelsOnEveryTopicAndToTheUpstream(@TempDir Path dataDir) throws Exception {
        List<String> upstreamTraceparents = new CopyOnWriteArrayList<>();
        HttpServer upstream = upstream(upstreamTraceparents);
        String target = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/public/";
        DevSettings settings = new DevSettings(dataDir, 0, 0, FreePorts.next(), FreePorts.next(), Optional.empty());
        String adminKey = ApiKeys.generate();
        List<DevComponent.Factory> components = components(target, adminKey);
        try (DevStack stack = new DevStack(settings, components, new PrintWriter(Writer.nullWriter()))) {
            stack.start();
            String intake = "http://127.0.0.1:" + settings.intakePort();
            String query = "http://127.0.0.1:" + settings.queryPort();
            String agentKey = post(intake + "/v1/identities", adminKey, null, Map.of("name", "traced-agent",
                    "kind", "agent", "tenant", "acme", "roles", List.of())).body().path("apiKey").asText();
            String runId = post(intake + "/v1/runs", agentKey, null, Map.of("workflow", "support-triage", "environment",
                    "staging", "classification", "Internal", "input", Map.of())).body().path("runId").asText();

            Answer call = post(intake + "/v1/runs/" + runId + "/tool-calls?waitMs=30000", agentKey, TRACEPARENT,
                    Map.of("tool", "http.fetch", "args", Map.of("url", target + "status")));
            assertThat(call.traceparent()).isEqualTo(TRACEPARENT);
            assertThat(call.body().path("decision").asText()).as(call.body().toString()).isEqualTo("APPROVED");
            assertThat(call.body().path("status").asText()).as(call.body().toString()).isEqualTo("SUCCEEDED");
            String callId = call.body().path("callId").asText();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !upstreamTraceparents.isEmpty());
            assertThat(upstreamTraceparents).containsOnly(TRACEPARENT);

            String bootstrap = stack.kafka().bootstrapServers();
            assertThat(traceparents(bootstrap, Topics.COMMANDS, runId, 2)).contains(TRACEPARENT);
            assertThat(traceparents(bootstrap, Topics.DISPATCH, runId, 1)).containsOnly(TRACEPARENT);
            assertThat(traceparents(bootstrap, Topics.TOOL_RESULTS, runId, 1)).containsOnly(TRACEPARENT);
            // RunAdmitted (the run request had no traceparent: intake started one), ToolCallApproved, completed.
            List<String> ledger = traceparents(bootstrap, Topics.LEDGER, runId, 3);
            assertThat(ledger.subList(1, 3)).containsOnly(TRACEPARENT);

            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode events = get(query + "/v1/runs/" + runId + "/events", agentKey);
                List<String> traced = new ArrayList<>();
                events.forEach(e -> {
                    if (e.path("payload").path("callId").asText().equals(callId)) {
                        traced.add(e.path("traceId").asText());
                    }
                });
                assertThat(traced).hasSize(2).containsOnly(TRACE_ID);
            });
        } finally {
            upstream.stop(0);
        }
    }

    /**
     * A loopback HTTP server as the {@code http.fetch} target under {@code /public/}: answers {@code ok} and keeps
     * the {@code traceparent} header of every request it got. Started; the caller stops it.
     */
    static HttpServer upstream(List<String> traceparents) throws IOException {
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/public/", exchange -> {
            traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        return upstream;
    }

    /** The whole stack, its gateway allowed to reach {@code egress} only. */
    static List<DevComponent.Factory> components(String egress, String adminKey) {
        return List.of(DevComponents::policyProcessor, context -> gateway(context, egress),
                DevComponents::projector, context -> DevComponents.intake(context, adminKey));
    }

    private static DevComponent gateway(DevComponent.DevContext context, String egress) {
        GatewayConfig config = GatewayDevDefaults.config(context.settings().dataDir(), context.bootstrapServers(),
                context.schemaRegistryUrl(), Map.of(GatewayConfig.EGRESS_ALLOW.name(), egress));
        ToolGatewayApp app = ToolGatewayApp.start(config);
        return DevComponent.of("tool-gateway", app, app::ready);
    }

    /** The traceparent header of each record of {@code runId} on {@code topic}, in order (at least {@code min}). */
    private static List<String> traceparents(String bootstrap, TopicSpec<String, ?> topic, String runId, int min) {
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && runId.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        Header header = record.headers().lastHeader("traceparent");
                        found.add(header == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
                return found.size() >= min;
            });
        }
        return found;
    }

    private record Answer(int status, JsonNode body, String traceparent) {
    }

    private Answer post(String url, String apiKey, String traceparent, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " " + response.body()).isBetween(200, 299);
        return new Answer(response.statusCode(), MAPPER.readTree(response.body()),
                response.headers().firstValue("traceparent").orElse(null));
    }

    private JsonNode get(String url, String apiKey) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }
}
