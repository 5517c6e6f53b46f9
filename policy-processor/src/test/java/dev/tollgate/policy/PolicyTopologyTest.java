package dev.tollgate.policy;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.finish;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.result;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.policy.state.RunState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTopologyTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";
    private static final Path GOLDEN = Path.of("src/test/resources/policy-topology.txt");

    @TempDir
    Path stateDir;

    private TollgateSerdes serdes;
    private TopologyTestDriver driver;
    private TestInputTopic<String, Command> commands;
    private TestInputTopic<String, ToolCallResult> results;
    private TestInputTopic<String, PolicyBundle> policies;
    private TestInputTopic<String, Identity> identities;
    private TestOutputTopic<String, byte[]> ledger;
    private TestOutputTopic<String, ToolCallDispatch> dispatch;
    private TestOutputTopic<byte[], byte[]> dlq;

    private PolicyProcessorConfig config() {
        return PolicyProcessorConfig.from(Map.of("state.dir", stateDir.toString(), "bootstrap.servers", "dummy:9092"));
    }

    @BeforeEach
    void start() {
        serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        PolicyProcessorConfig config = config();
        driver = new TopologyTestDriver(PolicyTopology.build(config, serdes), config.streamsProperties());
        StringSerializer keys = new StringSerializer();
        commands = driver.createInputTopic(Topics.COMMANDS.name(), keys,
                serdes.value(Topics.COMMANDS).serializer());
        results = driver.createInputTopic(Topics.TOOL_RESULTS.name(), keys,
                serdes.value(Topics.TOOL_RESULTS).serializer());
        policies = driver.createInputTopic(Topics.POLICIES.name(), keys, serdes.value(Topics.POLICIES).serializer());
        identities = driver.createInputTopic(Topics.IDENTITIES.name(), keys,
                serdes.value(Topics.IDENTITIES).serializer());
        ledger = driver.createOutputTopic(Topics.LEDGER.name(), new StringDeserializer(), new ByteArrayDeserializer());
        dispatch = driver.createOutputTopic(Topics.DISPATCH.name(), new StringDeserializer(),
                serdes.value(Topics.DISPATCH).deserializer());
        dlq = driver.createOutputTopic(Topics.DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        identities.pipeInput(AGENT, identity(AGENT, true));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void publish(String yaml) {
        String sha = Sha256.hex(yaml);
        policies.pipeInput("default", PolicyBundle.newBuilder().setName("default").setVersion("v").setSha256(sha)
                .setYaml(yaml).setPublishedAt(T0).build());
    }

    private void send(Command command) {
        commands.pipeInput(command.getRunId(), command);
    }

    private List<LedgerEvent> verifiedLedger() {
        List<LedgerEvent> events = new ArrayList<>();
        String previous = null;
        for (TestRecord<String, byte[]> record : ledger.readRecordsToList()) {
            String hash = LedgerHash.ofRecordValue(record.value());
            assertThat(new String(record.headers().lastHeader(LedgerHash.HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo(hash);
            LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(Topics.LEDGER.name(),
                    record.value());
            assertThat(record.key()).isEqualTo(event.getRunId());
            assertThat(event.getPrevHash()).isEqualTo(previous == null ? LedgerHash.GENESIS : previous);
            assertThat(event.getSeq()).isEqualTo(events.size() + 1);
            previous = hash;
            events.add(event);
        }
        return events;
    }

    @Test
    void admitsApprovesDispatchesAndCompletesARunOnAnIntactChain() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        send(toolCall("r1", "c1", "search_docs", SEARCH));

        TestRecord<String, ToolCallDispatch> dispatched = dispatch.readRecord();
        assertThat(dispatched.key()).isEqualTo("r1");
        assertThat(dispatched.value().getCallId()).isEqualTo("c1");
        assertThat(dispatched.value().getArgsJson()).isEqualTo(SEARCH);
        assertThat(dispatched.value().getLedgerSeq()).isEqualTo(2);

        results.pipeInput("r1", result("r1", "c1", "search_docs", 900));
        results.pipeInput("r1", result("r1", "c1", "search_docs", 900));
        send(finish("r1"));

        List<LedgerEvent> events = verifiedLedger();
        assertThat(events).extracting(e -> e.getPayload().getClass().getSimpleName()).containsExactly(
                RunAdmitted.class.getSimpleName(), ToolCallApproved.class.getSimpleName(),
                ToolCallCompleted.class.getSimpleName(), RunCompleted.class.getSimpleName());
        assertThat(events).allSatisfy(e -> assertThat(e.getPolicyVersion()).isEqualTo("2026.11.22-1"));
        assertThat(dispatch.isEmpty()).isTrue();

        KeyValueStore<String, RunState> store = driver.getKeyValueStore(PolicyTopology.RUN_STATE_STORE);
        RunState state = store.get("r1");
        assertThat(state.getLastSeq()).isEqualTo(4);
        assertThat(state.getLastHash()).isEqualTo(LedgerHash.of(events.get(3)));
        assertThat(state.getSpentCostMicros()).isEqualTo(900);
        assertThat(state.getReservedCostMicros()).isZero();
    }

    @Test
    void aRefusedBundleLeavesThePreviousOneInForceAndANewVersionSwapsIn() {
        publish(DefaultBundle.yaml());
        publish(DefaultBundle.yaml().replace("version: \"2026.11.22-1\"", "version: \"broken\"")
                .replace("tool.risk == \"read\"", "tool.risky == \"read\""));
        send(requestRun("r1"));
        publish(DefaultBundle.yaml().replace("version: \"2026.11.22-1\"", "version: \"2026.11.23-1\""));
        send(toolCall("r1", "c1", "search_docs", SEARCH));

        List<LedgerEvent> events = verifiedLedger();
        assertThat(events).extracting(LedgerEvent::getPolicyVersion).containsExactly("2026.11.22-1", "2026.11.23-1");
    }

    @Test
    void poisonPillsAreSkippedAndProcessingContinues() {
        // TopologyTestDriver does not forward the deserialization handler's dead letters; PolicyProcessorIT checks
        // that they reach tollgate.dlq.v1 on a real broker.
        publish(DefaultBundle.yaml());
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.COMMANDS.name(), new StringSerializer(),
                new ByteArraySerializer());
        raw.pipeInput("r1", "not avro".getBytes(StandardCharsets.UTF_8));
        send(requestRun("r1"));
        assertThat(verifiedLedger()).hasSize(1);
    }

    @Test
    void aCommandKeyedByAnotherRunIsDeadLetteredNotDecided() {
        publish(DefaultBundle.yaml());
        commands.pipeInput("other", requestRun("r1"));
        assertThat(ledger.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.STAGE)).contains("processing:decide-run");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).contains(Topics.COMMANDS.name());
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("other");
    }

    @Test
    void decidesWithoutABundleByFailingClosed() {
        send(requestRun("r1"));
        assertThat(verifiedLedger()).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOf(dev.tollgate.events.RunRejected.class);
            assertThat(e.getPolicyVersion()).isNull();
        });
    }

    @Test
    void describeMatchesTheGoldenFile() throws Exception {
        Topology topology = PolicyTopology.build(config(), serdes);
        String described = topology.describe().toString();
        if (Boolean.getBoolean("golden.update") || !Files.exists(GOLDEN)) {
            Files.writeString(GOLDEN, described);
        }
        assertThat(described).isEqualTo(Files.readString(GOLDEN));
    }
}
