package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Command;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.Topics;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.policy.engine.DefaultBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy-processor on a real broker with exactly_once_v2: 1,000 tool calls over 50 runs, with the processor
 * closed abruptly mid-stream and restarted on an empty state directory (so its run state is restored from the
 * changelog). Every run's chain must be intact and gap-free, every command answered exactly once, every approval
 * dispatched exactly once.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class PolicyProcessorIT {

    private static final int RUNS = 50;
    private static final int CALLS_PER_RUN = 20;

    @TempDir
    Path stateDirs;

    @Test
    void decidesEveryCommandExactlyOnceOnIntactChainsAcrossAnAbruptRestart(EmbeddedKafka kafka) throws Exception {
        String prefix = EmbeddedKafkaExtension.uniqueId("it");
        String agent = prefix + "-agent";
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        Map<String, String> settings = Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(),
                "application.id", prefix + "-policy-processor",
                "policy.bundle", prefix,
                "state.dir", stateDirs.resolve("first").toString(),
                "command.keys.file", Fixtures.intakeKeyFile(stateDirs).toString(),
                // The abrupt close leaves the first instance in the group until its session times out: keep that
                // at the broker's minimum so the second instance is not kept REBALANCING for the 45 s default.
                "streams.consumer.session.timeout.ms", "6000",
                "streams.consumer.heartbeat.interval.ms", "1000");

        try (KafkaProducer<String, Object> producer = producer(kafka, serdes)) {
            // One agent sends all 1,000 calls within a minute of event time: lift the reference bundle's agent
            // rate limit (600/min), whose feedback-delayed enforcement would make the approval count vary.
            // Limits have their own tests; this one is about exactly-once decisions and intact chains.
            String yaml = DefaultBundle.yaml().replace("name: default", "name: " + prefix)
                    .replace("agent: {toolCallsPerMinute: 600}", "agent: {toolCallsPerMinute: 1000000}");
            assertThat(yaml).contains("toolCallsPerMinute: 1000000");
            producer.send(new ProducerRecord<>(Topics.POLICIES.name(), prefix, PolicyBundle.newBuilder()
                    .setName(prefix).setVersion("it").setSha256(dev.tollgate.events.hash.Sha256.hex(yaml))
                    .setYaml(yaml).setPublishedAt(Instant.now()).build()));
            producer.send(new ProducerRecord<>(Topics.IDENTITIES.name(), agent, Identity.newBuilder()
                    .setPrincipalId(agent).setName(agent).setKind(PrincipalKind.AGENT).setTenantId("acme")
                    .setApiKeySha256("0".repeat(64)).setCreatedAt(Instant.now()).setUpdatedAt(Instant.now())
                    .build()));
            producer.flush();
        }

        PolicyProcessorApp first = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings));
        List<Command> commands = commands(prefix, agent);
        Set<String> runIds = commands.stream().map(Command::getRunId).collect(Collectors.toSet());
        int firstPart = commands.size() * 3 / 5;
        String poisonKey = prefix + "-poison";
        try (KafkaProducer<String, Object> producer = producer(kafka, serdes);
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                     new ByteArraySerializer())) {
            await().atMost(Duration.ofSeconds(90)).until(first::ready);
            raw.send(new ProducerRecord<>(Topics.COMMANDS.name(), poisonKey, "garbage".getBytes(StandardCharsets.UTF_8)));
            raw.flush();
            send(producer, commands.subList(0, firstPart));
        }

        try (LedgerReader ledger = new LedgerReader(kafka, serdes, runIds);
             KafkaProducer<String, Object> producer = producer(kafka, serdes)) {
            // Mid-stream: the first instance dies with decisions out and commands still coming.
            await().atMost(Duration.ofSeconds(120)).until(() -> ledger.poll() >= 200);
            first.close(Duration.ZERO);
            assertThat(ledger.poll()).isLessThan(commands.size());
            send(producer, commands.subList(firstPart, commands.size()));
            PolicyProcessorApp second = PolicyProcessorApp.start(PolicyProcessorConfig.from(new HashMap<>(settings) {
                {
                    put("state.dir", stateDirs.resolve("second").toString());
                }
            }));
            try {
                await().atMost(Duration.ofSeconds(150)).until(() -> ledger.poll() >= commands.size());
                ledger.verify(commands);
                List<ToolCallDispatch> dispatches = readDispatches(kafka, serdes, runIds, ledger.approvals());
                assertThat(dispatches).extracting(d -> d.getRunId() + "/" + d.getCallId()).doesNotHaveDuplicates()
                        .hasSize(ledger.approvals());
                assertThat(dispatches).allSatisfy(d -> assertThat(d.getArgsSchemaJson()).contains("properties"));
                assertThat(readDeadLetterKeys(kafka)).contains(poisonKey);
            } finally {
                second.close();
            }
        }
    }

    private static void send(KafkaProducer<String, Object> producer, List<Command> commands) {
        for (Command command : commands) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), command.getRunId(), Fixtures.signed(command)));
        }
        producer.flush();
    }

    /** Per run: RequestRun, 20 calls (approved, denied by rule, unknown tool), FinishRun; runs interleaved. */
    private static List<Command> commands(String prefix, String agent) {
        List<List<Command>> perRun = new ArrayList<>();
        // Event times from the clock at test start: fixed dates meet retention, windows and expiry as time passes.
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int r = 0; r < RUNS; r++) {
            String runId = prefix + "-run-" + r;
            List<Command> run = new ArrayList<>();
            run.add(command(runId, agent, t, "admit", RequestRun.newBuilder().setWorkflow("support-triage")
                    .setEnvironment("staging").setClassification("Internal").build()));
            for (int c = 0; c < CALLS_PER_RUN; c++) {
                String tool;
                String args;
                if (c % 10 == 3) {
                    tool = "email.send";
                    args = "{\"to\":[\"x@evil.org\"],\"subject\":\"s\"}";
                } else if (c % 10 == 7) {
                    tool = "shell.exec";
                    args = "{}";
                } else {
                    tool = "search_docs";
                    args = "{\"q\":\"question " + c + "\"}";
                }
                run.add(command(runId, agent, t.plusSeconds(c + 1), "call-" + c, RequestToolCall.newBuilder()
                        .setCallId("call-" + c).setTool(tool).setArgsJson(args).build()));
            }
            run.add(command(runId, agent, t.plusSeconds(100), "finish", FinishRun.newBuilder().setOutcome("done")
                    .build()));
            perRun.add(run);
        }
        List<Command> all = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_RUN + 2; i++) {
            for (List<Command> run : perRun) {
                all.add(run.get(i));
            }
        }
        return all;
    }

    private static Command command(String runId, String agent, Instant at, String id, Object payload) {
        return Command.newBuilder().setCommandId(runId + "-" + id).setRunId(runId).setTenantId("acme")
                .setPrincipalId(agent).setIssuedAt(at).setPayload(payload).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, Object> producer(EmbeddedKafka kafka, TollgateSerdes serdes) {
        org.apache.kafka.common.serialization.Serializer<Object> values = (topic, value) -> {
            dev.tollgate.events.TopicSpec spec = Topics.byName(topic).orElseThrow();
            return ((org.apache.kafka.common.serialization.Serde) serdes.value(spec)).serializer()
                    .serialize(topic, value);
        };
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), values);
    }

    private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, EmbeddedKafkaExtension.uniqueId("it-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static List<ToolCallDispatch> readDispatches(EmbeddedKafka kafka, TollgateSerdes serdes,
                                                         Set<String> runIds, int expected) {
        List<ToolCallDispatch> dispatches = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, Topics.DISPATCH.name())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (runIds.contains(record.key())) {
                        dispatches.add(serdes.value(Topics.DISPATCH).deserializer().deserialize(record.topic(),
                                record.value()));
                    }
                }
                return dispatches.size() >= expected;
            });
        }
        return dispatches;
    }

    private static List<String> readDeadLetterKeys(EmbeddedKafka kafka) {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, Topics.DLQ.name())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC)
                            .filter(Topics.COMMANDS.name()::equals).isPresent()) {
                        keys.add(record.key());
                    }
                }
                return keys.stream().anyMatch(k -> k.endsWith("-poison"));
            });
        }
        return keys;
    }

    /** Reads this test's runs from the ledger, raw bytes kept for the chain check. */
    private static final class LedgerReader implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final TollgateSerdes serdes;
        private final Set<String> runIds;
        private final Map<String, List<ConsumerRecord<String, byte[]>>> byRun = new TreeMap<>();
        private int count;

        LedgerReader(EmbeddedKafka kafka, TollgateSerdes serdes, Set<String> runIds) {
            this.consumer = consumer(kafka, Topics.LEDGER.name());
            this.serdes = serdes;
            this.runIds = runIds;
        }

        int poll() {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (runIds.contains(record.key())) {
                    byRun.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
                    count++;
                }
            }
            return count;
        }

        private int approvals;

        int approvals() {
            return approvals;
        }

        void verify(List<Command> commands) {
            Map<String, Integer> answers = new HashMap<>();
            approvals = 0;
            for (Map.Entry<String, List<ConsumerRecord<String, byte[]>>> run : byRun.entrySet()) {
                String previous = LedgerHash.GENESIS;
                long seq = 0;
                for (ConsumerRecord<String, byte[]> record : run.getValue()) {
                    LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(record.topic(),
                            record.value());
                    String hash = LedgerHash.ofRecordValue(record.value());
                    assertThat(event.getSeq()).as("seq of %s", run.getKey()).isEqualTo(++seq);
                    assertThat(event.getPrevHash()).as("prevHash of %s seq %d", run.getKey(), seq)
                            .isEqualTo(previous);
                    assertThat(new String(record.headers().lastHeader(LedgerHash.HEADER).value(),
                            StandardCharsets.UTF_8)).isEqualTo(hash);
                    previous = hash;
                    answers.merge(event.getCausationId(), 1, Integer::sum);
                    if (event.getPayload() instanceof ToolCallApproved) {
                        approvals++;
                    }
                }
            }
            assertThat(byRun).hasSize(RUNS);
            assertThat(answers).hasSize(commands.size());
            assertThat(answers.values()).allMatch(n -> n == 1);
            assertThat(commands).allSatisfy(c -> assertThat(answers).containsKey(c.getCommandId()));
            assertThat(count).isEqualTo(commands.size());
            assertThat(approvals).isEqualTo(RUNS * (CALLS_PER_RUN - 4));
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
