package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.GatewayDevDefaults;
import dev.tollgate.gateway.ToolGatewayApp;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import dev.tollgate.launcher.demo.Demo;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of every service after a scripted run: the whole dev stack (its own embedded broker) runs the demo's
 * scenarios (allowed and denied calls, approvals, budgets, kill switch, gates), one unreadable command is produced,
 * then each service's {@code GET /metrics} is scraped. The policy-processor's decision counters must equal what the
 * ledger says (read with a plain consumer): denials by reason code, runs by outcome; the gateway's tool-call counter
 * must equal the ledger's completions by tool and status.
 */
class MetricsIT {

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)} ([0-9.eE+-]+|NaN)$");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyServiceExposesItsFamiliesAndTheDecisionCountsMatchTheLedger(@TempDir Path dataDir) throws Exception {
        DevSettings settings = new DevSettings(dataDir, 0, 0, FreePorts.next(), FreePorts.next(), Optional.empty());
        int processorPort = FreePorts.next();
        int gatewayPort = FreePorts.next();
        String adminKey = ApiKeys.generate();
        List<DevComponent.Factory> components = List.of(
                context -> processor(context, processorPort), context -> gateway(context, gatewayPort),
                DevComponents::projector, context -> DevComponents.intake(context, adminKey));
        try (DevStack stack = new DevStack(settings, components, new PrintWriter(Writer.nullWriter()))) {
            stack.start();
            String intake = "http://127.0.0.1:" + settings.intakePort();
            String query = "http://127.0.0.1:" + settings.queryPort();
            StringWriter demo = new StringWriter();
            boolean matched = new Demo(new PrintWriter(demo, true)).run(intake, query, adminKey,
                    stack.kafka().bootstrapServers(), stack.kafka().schemaRegistryUrl());
            assertThat(matched).as(demo.toString()).isTrue();
            producePoisonCommand(stack.kafka().bootstrapServers());

            String processor = "http://127.0.0.1:" + processorPort + "/metrics";
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Double> ledger = decisionsInLedger(stack.kafka().bootstrapServers(),
                        stack.kafka().schemaRegistryUrl());
                Map<String, Double> counted = series(scrape(processor), "tollgate_decisions_total",
                        "type", "outcome", "code");
                assertThat(counted).isEqualTo(ledger);
                assertThat(ledger.keySet()).anyMatch(k -> k.startsWith("tool_call/denied/"))
                        .anyMatch(k -> k.startsWith("tool_call/held/")).anyMatch(k -> k.startsWith("run/admitted/"));
                assertThat(series(scrape(processor), "tollgate_dead_letters_total", "source_topic", "reason"))
                        .containsEntry("tollgate.commands.v1/deserialization", 1.0);
            });
            String processorText = scrape(processor);
            assertThat(processorText).contains("tollgate_denial_reasons_total{", "tollgate_ledger_events_total{",
                    "tollgate_decision_latency_seconds_bucket{", "tollgate_streams_state{app=\"policy-processor\","
                            + "state=\"RUNNING\"} 1.0", "kafka_stream_thread_commit_total",
                    "kafka_consumer_fetch_manager_records_lag");

            String gateway = scrape("http://127.0.0.1:" + gatewayPort + "/metrics");
            Map<String, Double> completions = completionsInLedger(stack.kafka().bootstrapServers(),
                    stack.kafka().schemaRegistryUrl());
            assertThat(series(gateway, "tollgate_tool_calls_total", "tool", "status")).isEqualTo(completions);
            assertThat(gateway).contains("tollgate_tool_call_duration_seconds_bucket{");

            String projector = scrape(query + "/metrics");
            assertThat(projector).containsPattern("(?m)^tollgate_approvals_held [0-9]");
            assertThat(projector).contains("tollgate_approval_wait_seconds_bucket{",
                    "tollgate_streams_state{app=\"ledger-projector\",state=\"RUNNING\"} 1.0",
                    "tollgate_http_server_requests_seconds_bucket{method=\"GET\",route=\"/v1/runs/{runId}\"");

            String intakeText = scrape(intake + "/metrics");
            assertThat(intakeText).contains(
                    "tollgate_http_server_requests_seconds_bucket{method=\"POST\","
                            + "route=\"/v1/runs/{runId}/tool-calls\"",
                    "kafka_producer_");
        }
    }

    private static DevComponent processor(DevComponent.DevContext context, int port) throws Exception {
        DevComponents.publishDefaultBundleIfNone(context);
        PolicyProcessorApp app = PolicyProcessorApp.start(PolicyProcessorConfig.from(Map.of(
                PolicyProcessorConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                PolicyProcessorConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                PolicyProcessorConfig.HTTP_PORT.name(), Integer.toString(port),
                PolicyProcessorConfig.STATE_DIR.name(),
                context.settings().dataDir().resolve("policy-processor").toString(),
                // The dev stack's keys: intake signs commands with the first, the gateway checks dispatches with
                // the second.
                PolicyProcessorConfig.COMMAND_KEYS_FILE.name(), DevComponents.commandKeysFile(context).toString(),
                PolicyProcessorConfig.DISPATCH_KEYS_FILE.name(), DevComponents.dispatchKeysFile(context).toString())));
        return DevComponent.of("policy-processor", app, app::ready);
    }

    private static DevComponent gateway(DevComponent.DevContext context, int port) {
        GatewayConfig config = GatewayDevDefaults.config(context.settings().dataDir(), context.bootstrapServers(),
                context.schemaRegistryUrl(), Map.of(GatewayConfig.HTTP_PORT.name(), Integer.toString(port)));
        ToolGatewayApp app = ToolGatewayApp.start(config);
        return DevComponent.of("tool-gateway", app, app::ready);
    }

    private static void producePoisonCommand(String bootstrapServers) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                bootstrapServers), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), "run-poison".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** {@code type/outcome/code} → count, classified here independently of the processor's code. */
    private static Map<String, Double> decisionsInLedger(String bootstrap, String registry) {
        Map<String, Double> counts = new TreeMap<>();
        for (LedgerEvent event : ledger(bootstrap, registry)) {
            Object p = event.getPayload();
            String name = p.getClass().getSimpleName();
            String[] decision = switch (name) {
                case "RunAdmitted" -> new String[] {"run", "admitted"};
                case "RunRejected" -> new String[] {"run", "rejected"};
                case "RunHalted" -> new String[] {"run", "halted"};
                case "ToolCallApproved" -> new String[] {"tool_call", "approved"};
                case "ToolCallDenied" -> new String[] {"tool_call", "denied"};
                case "ToolCallHeld" -> new String[] {"tool_call", "held"};
                case "ApprovalGranted" -> new String[] {"approval", "granted"};
                case "ApprovalDenied" -> new String[] {"approval", "denied"};
                case "ApprovalExpired" -> new String[] {"approval", "expired"};
                case "CommandRejected" -> new String[] {"command", "rejected"};
                default -> null;
            };
            if (decision == null) {
                continue;
            }
            List<Reason> reasons = p instanceof ToolCallDenied d ? d.getReasons()
                    : p instanceof RunRejected r ? r.getReasons()
                    : p instanceof dev.tollgate.events.RunHalted h ? h.getReasons()
                    : p instanceof dev.tollgate.events.CommandRejected c ? c.getReasons() : List.of();
            String code = reasons.isEmpty() ? "none" : reasons.get(0).getCode().name();
            counts.merge(decision[0] + "/" + decision[1] + "/" + code, 1.0, Double::sum);
        }
        return counts;
    }

    private static Map<String, Double> completionsInLedger(String bootstrap, String registry) {
        Map<String, Double> counts = new TreeMap<>();
        for (LedgerEvent event : ledger(bootstrap, registry)) {
            if (event.getPayload() instanceof ToolCallCompleted completed) {
                counts.merge(completed.getTool() + "/" + completed.getStatus().name(), 1.0, Double::sum);
            }
        }
        return counts;
    }

    /** Every committed ledger event, read to the end offsets with a plain consumer. */
    private static List<LedgerEvent> ledger(String bootstrap, String registry) {
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(registry));
        List<LedgerEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.LEDGER.name()).stream()
                    .map(p -> new TopicPartition(Topics.LEDGER.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    events.add((LedgerEvent) serdes.value(Topics.LEDGER).deserializer()
                            .deserialize(record.topic(), record.value()));
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return events;
    }

    private String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    /** The samples of one counter family, keyed by the given labels' values joined with '/'. */
    private static Map<String, Double> series(String text, String family, String... labels) {
        Map<String, Double> values = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher matcher = SAMPLE.matcher(line.trim());
            if (!matcher.matches() || !matcher.group(1).equals(family)) {
                continue;
            }
            Map<String, String> tags = new HashMap<>();
            for (String pair : matcher.group(2).split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    tags.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            }
            List<String> key = new ArrayList<>();
            for (String label : labels) {
                key.add(tags.get(label));
            }
            values.merge(String.join("/", key), Double.parseDouble(matcher.group(3)), Double::sum);
        }
        return values;
    }
}
