package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import dev.tollgate.projector.verify.LedgerReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison pills on every input topic of the policy-processor (commands, tool results, policies, identities, kill
 * switches) and of the projector (ledger): random bytes, a schema id the registry does not know, and Avro cut in
 * half. Each must land in {@code tollgate.dlq.v1} with its source topic and a reason in the headers of
 * {@link DeadLetters}, and each input must keep being processed afterwards: a new identity admits a run, a new
 * bundle version decides, a kill switch denies, a tool result completes a call, and the projector's view of a run
 * decided after the ledger's pills is served. Runs on a broker of its own: pills on the global topics would reach
 * every other test's processors.
 *
 * <p>The global-store topics (policies, identities, kill switches) are a separate test: Kafka Streams 4.3 cannot
 * take dead-letter records from a handler on its global thread (it casts the global context to a record collector
 * and the client shuts down), so the handlers write those dead letters themselves
 * ({@code dev.tollgate.events.dlq.GlobalDeadLetters}); this test is what found it.
 */
class PoisonPillIT {

    private static final List<TopicSpec<String, ?>> STREAM_INPUTS = List.of(Topics.COMMANDS, Topics.TOOL_RESULTS,
            Topics.LEDGER);
    private static final List<TopicSpec<String, ?>> GLOBAL_INPUTS = List.of(Topics.POLICIES, Topics.IDENTITIES,
            Topics.KILL_SWITCHES);
    private static final List<String> KINDS = List.of("random-bytes", "unknown-schema-id", "truncated-avro");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void poisonPillsOnStreamInputsAreDeadLetteredWithTheirReasonAndProcessingContinues() throws Exception {
        poisonAndCheck(STREAM_INPUTS, false);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void poisonPillsOnGlobalInputsAreDeadLetteredWithTheirReasonAndProcessingContinues() throws Exception {
        poisonAndCheck(GLOBAL_INPUTS, true);
    }

    private void poisonAndCheck(List<TopicSpec<String, ?>> inputs, boolean global) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start()) {
            String bootstrap = kafka.bootstrapServers();
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
            GovernedWorkload before = new GovernedWorkload("before", "before", 1, 1, 18);
            try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(bootstrap, 0)) {
                GovernedLoad.seed(producer, serdes, before, "default");
            }
            IntakeSigner signer = IntakeSigner.atFile(dir.resolve("command-keys"));
            PolicyProcessorConfig processorConfig = PolicyProcessorConfig.from(Map.of(
                    "bootstrap.servers", bootstrap, "schema.registry.url", kafka.schemaRegistryUrl(),
                    "state.dir", dir.resolve("processor").toString(),
                    "command.keys.file", signer.keyFile().toString()));
            ProjectorConfig projectorConfig = ProjectorConfig.of(Map.of(
                    "bootstrap.servers", bootstrap, "schema.registry.url", kafka.schemaRegistryUrl(),
                    "state.dir", dir.resolve("projector").toString(), "http.port", "0",
                    "http.host", "127.0.0.1"));
            try (PolicyProcessorApp processor = PolicyProcessorApp.start(processorConfig);
                 ProjectorApp projector = ProjectorApp.start(projectorConfig);
                 KafkaProducer<String, byte[]> producer = GovernedLoad.producer(bootstrap, 0);
                 LedgerCollector ledger = new LedgerCollector(bootstrap, serdes)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> processor.ready() && projector.ready());
                GovernedLoad load = new GovernedLoad(before, producer, serdes, signer);
                for (int n = 0; n < 3; n++) {
                    load.send(n);
                }
                load.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.events("before-run-0-0").size() >= 4);

                Map<String, String> pills = sendPills(producer, serdes, bootstrap, inputs);

                // Every input keeps flowing after its pills.
                Instant now = Instant.now();
                String agent = "before-agent-0";
                if (global) {
                    // Only principals published after the pills exist for these probes.
                    agent = "after-agent-0";
                    GovernedLoad.seed(producer, serdes, new GovernedWorkload("after", "after", 2, 1, 18), null);
                    // The processor decides by the version inside the YAML, so the new version goes there.
                    PolicyBundle v1 = GovernedWorkload.referenceBundle("default", now);
                    String yaml = v1.getYaml().replaceFirst("version: \"[^\"]*\"", "version: \"bench-2\"");
                    PolicyBundle v2 = PolicyBundle.newBuilder(v1).setVersion("bench-2").setYaml(yaml)
                            .setSha256(dev.tollgate.events.hash.Sha256.hex(yaml)).build();
                    send(producer, serdes, Topics.POLICIES, "default", v2);
                    send(producer, serdes, Topics.KILL_SWITCHES, "agent:after-agent-1", KillSwitch.newBuilder()
                            .setScope(KillSwitchScope.AGENT).setTarget("after-agent-1").setEngaged(true)
                            .setReason("poison test").setUpdatedAt(now).setUpdatedBy("test").build());
                } else {
                    send(producer, serdes, Topics.TOOL_RESULTS, "before-run-0-0", result("before-run-0-0",
                            "call-0"));
                }
                producer.flush();

                String prober = agent;
                AtomicInteger probes = new AtomicInteger();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    int i = probes.getAndIncrement();
                    probe(producer, serdes, signer, "after-probe-" + i + "-a", prober);
                    if (!global) {
                        return ledger.any("after-probe-", prober, e -> e.getPayload() instanceof ToolCallApproved);
                    }
                    probe(producer, serdes, signer, "after-probe-" + i + "-b", "after-agent-1");
                    return ledger.any("after-probe-", prober, e -> e.getPayload() instanceof ToolCallApproved
                            && "bench-2".equals(e.getPolicyVersion()))
                            // Under an engaged agent switch the probe's run itself is refused.
                            && ledger.any("after-probe-", "after-agent-1", e -> e.getPayload()
                            instanceof RunRejected r && r.getReasons().stream()
                            .anyMatch(reason -> "KILL_SWITCH".equals(reason.getCode().name())));
                });
                if (!global) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> ledger.events("before-run-0-0").stream()
                            .anyMatch(e -> e.getPayload() instanceof ToolCallCompleted));
                }
                String probeRun = "after-probe-" + (probes.get() - 1) + "-a";
                await().atMost(Duration.ofSeconds(60)).until(() -> projectorAnswers(projector, probeRun, prober));

                Map<String, ConsumerRecord<String, byte[]>> dead = deadLetters(bootstrap, pills.keySet());
                pills.forEach((key, topic) -> {
                    ConsumerRecord<String, byte[]> record = dead.get(key);
                    assertThat(DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC)).as(key)
                            .contains(topic);
                    assertThat(DeadLetters.header(record.headers(), DeadLetters.REASON)).as(key).isPresent()
                            .get().asString().isNotBlank();
                    assertThat(DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET)).as(key)
                            .isPresent();
                    System.out.println("PoisonPillIT " + key + " -> " + DeadLetters.header(record.headers(),
                            DeadLetters.REASON).orElseThrow());
                });
                assertThat(processor.ready()).isTrue();
                assertThat(projector.ready()).isTrue();
            }
        }
    }

    /** Sends the three pills to every input topic; returns pill key → topic. */
    private static Map<String, String> sendPills(KafkaProducer<String, byte[]> producer, TollgateSerdes serdes,
                                                 String bootstrap, List<TopicSpec<String, ?>> inputs) {
        Random random = new Random(42);
        byte[] ledgerSample;
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofSeconds(30))) {
            List<byte[]> values = new ArrayList<>();
            reader.readAll(r -> values.add(r.value()));
            ledgerSample = values.get(0);
        }
        Instant now = Instant.now();
        Map<String, byte[]> samples = Map.of(
                Topics.COMMANDS.name(), serialize(serdes, Topics.COMMANDS, new GovernedWorkload("x", "x", 1, 1, 18)
                        .commands(0, now).get(1)),
                Topics.TOOL_RESULTS.name(), serialize(serdes, Topics.TOOL_RESULTS, result("x", "call-0")),
                Topics.POLICIES.name(), serialize(serdes, Topics.POLICIES,
                        GovernedWorkload.referenceBundle("x", now)),
                Topics.IDENTITIES.name(), serialize(serdes, Topics.IDENTITIES,
                        new GovernedWorkload("x", "x", 1, 1, 1).identities(now).get(0)),
                Topics.KILL_SWITCHES.name(), serialize(serdes, Topics.KILL_SWITCHES, KillSwitch.newBuilder()
                        .setScope(KillSwitchScope.GLOBAL).setTarget("*").setEngaged(true).setUpdatedAt(now).build()),
                Topics.LEDGER.name(), ledgerSample);
        Map<String, String> pills = new ConcurrentHashMap<>();
        for (TopicSpec<String, ?> topic : inputs) {
            byte[] valid = samples.get(topic.name());
            for (String kind : KINDS) {
                byte[] value = switch (kind) {
                    case "random-bytes" -> {
                        byte[] bytes = new byte[64];
                        random.nextBytes(bytes);
                        bytes[0] = 7;
                        yield bytes;
                    }
                    case "unknown-schema-id" -> {
                        byte[] bytes = valid.clone();
                        ByteBuffer.wrap(bytes).put(1, (byte) 0).putInt(1, 987_654);
                        yield bytes;
                    }
                    default -> Arrays.copyOf(valid, valid.length / 2);
                };
                String key = "pill-" + kind + "-" + topic.name();
                producer.send(new ProducerRecord<>(topic.name(), key, value));
                pills.put(key, topic.name());
            }
        }
        producer.flush();
        return pills;
    }

    private static void probe(KafkaProducer<String, byte[]> producer, TollgateSerdes serdes, IntakeSigner signer,
                              String runId, String agent) {
        Instant now = Instant.now();
        send(producer, serdes, Topics.COMMANDS, runId, signer.sign(Command.newBuilder()
                .setCommandId(runId + "-admit").setRunId(runId).setTenantId(GovernedWorkload.TENANT)
                .setPrincipalId(agent).setIssuedAt(now)
                .setPayload(RequestRun.newBuilder().setWorkflow(GovernedWorkload.WORKFLOW).setEnvironment("staging")
                        .setClassification("Internal").build()).build()));
        send(producer, serdes, Topics.COMMANDS, runId, signer.sign(Command.newBuilder()
                .setCommandId(runId + "-call").setRunId(runId).setTenantId(GovernedWorkload.TENANT)
                .setPrincipalId(agent).setIssuedAt(now)
                .setPayload(RequestToolCall.newBuilder().setCallId("call-0").setTool("search_docs")
                        .setArgsJson("{\"q\":\"still there?\"}").build()).build()));
        producer.flush();
    }

    private static ToolCallResult result(String runId, String callId) {
        Instant now = Instant.now();
        String sha = CanonicalJson.sha256("{\"ok\":true}");
        Receipt receipt = Receipt.newBuilder().setKeyId("k1").setRunId(runId).setCallId(callId).setTool("search_docs")
                .setArgsSha256("a".repeat(64)).setResultSha256(sha).setStatus(ToolCallStatus.SUCCEEDED)
                .setStartedAt(now).setFinishedAt(now).setSignature("c2ln").build();
        return ToolCallResult.newBuilder().setRunId(runId).setCallId(callId).setTool("search_docs")
                .setStatus(ToolCallStatus.SUCCEEDED).setResultJson("{\"ok\":true}").setResultSha256(sha)
                .setGatewayId("gw-test").setStartedAt(now).setFinishedAt(now).setReceipt(receipt).build();
    }

    private static <V> void send(KafkaProducer<String, byte[]> producer, TollgateSerdes serdes,
                                 TopicSpec<String, V> topic, String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), key, serialize(serdes, topic, value)));
    }

    private static <V> byte[] serialize(TollgateSerdes serdes, TopicSpec<String, V> topic, V value) {
        return serdes.value(topic).serializer().serialize(topic.name(), value);
    }

    private static boolean projectorAnswers(ProjectorApp projector, String runId, String apiKey) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + projector.httpPort() + "/v1/runs/" + runId))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"lastSeq\":2");
    }

    private static Map<String, ConsumerRecord<String, byte[]>> deadLetters(String bootstrap,
                                                                          java.util.Set<String> keys) {
        Map<String, ConsumerRecord<String, byte[]>> found = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DLQ.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (keys.contains(record.key())) {
                            found.put(record.key(), record);
                        }
                    }
                    return found.keySet().containsAll(keys);
                });
            } finally {
                List<String> missing = keys.stream().filter(k -> !found.containsKey(k)).sorted().toList();
                assertThat(missing).as("pills missing from the DLQ").isEmpty();
            }
        }
        return found;
    }

    /** Collects the decoded ledger events of every run, by runId, on its own thread. */
    private static final class LedgerCollector implements AutoCloseable {
        private final Map<String, List<LedgerEvent>> byRun = new ConcurrentHashMap<>();
        private final Map<String, String> principals = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        LedgerCollector(String bootstrap, TollgateSerdes serdes) {
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.LEDGER.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(() -> {
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        if (record.key() == null || record.key().startsWith("pill-")) {
                            continue;
                        }
                        LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(record.topic(),
                                record.value());
                        byRun.computeIfAbsent(event.getRunId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(event);
                        principals.put(event.getRunId(), event.getPrincipalId());
                    }
                }
                consumer.close();
            }, "ledger-collector");
            thread.setDaemon(true);
            thread.start();
        }

        List<LedgerEvent> events(String runId) {
            return byRun.getOrDefault(runId, List.of());
        }

        boolean any(String runPrefix, String principal, java.util.function.Predicate<LedgerEvent> test) {
            return byRun.entrySet().stream().filter(e -> e.getKey().startsWith(runPrefix)
                            && principal.equals(principals.get(e.getKey())))
                    .anyMatch(e -> e.getValue().stream().anyMatch(test));
        }

        @Override
        public void close() {
            stop.set(true);
            FaultSupport.join(thread);
        }
    }
}
