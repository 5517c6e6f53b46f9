package dev.tollgate.policy;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.artifact;
import static dev.tollgate.policy.Fixtures.command;
import static dev.tollgate.policy.Fixtures.completeStage;
import static dev.tollgate.policy.Fixtures.decideApproval;
import static dev.tollgate.policy.Fixtures.finish;
import static dev.tollgate.policy.Fixtures.human;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.intakeKeyFile;
import static dev.tollgate.policy.Fixtures.killSwitch;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.result;
import static dev.tollgate.policy.Fixtures.signed;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ArtifactContent;
import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.policy.limits.LimitsDecider;
import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.LimitUsage;
import dev.tollgate.policy.state.RunState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final String BULK = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{}}";
    private static final Path GOLDEN = Path.of("src/test/resources/policy-topology.txt");

    @TempDir
    Path stateDir;

    private TollgateSerdes serdes;
    private TopologyTestDriver driver;
    private TestInputTopic<String, Command> commands;
    private TestInputTopic<String, ToolCallResult> results;
    private TestInputTopic<String, PolicyBundle> policies;
    private TestInputTopic<String, Identity> identities;
    private TestInputTopic<String, KillSwitch> killSwitches;
    private TestOutputTopic<String, ArtifactContent> artifacts;
    private TestOutputTopic<String, byte[]> ledger;
    private TestOutputTopic<String, ToolCallDispatch> dispatch;
    private TestOutputTopic<byte[], byte[]> dlq;

    private PolicyProcessorConfig config() {
        return PolicyProcessorConfig.from(Map.of("state.dir", stateDir.toString(), "bootstrap.servers", "dummy:9092",
                "command.keys.file", intakeKeyFile(stateDir).toString(),
                // The test driver runs on one thread: an identity cannot arrive while a command waits for it.
                "command.identity.wait.ms", "200"));
    }

    @BeforeEach
    void start() {
        serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        PolicyProcessorConfig config = config();
        // The wall clock starts at the commands' event time, so timers can be driven by advancing it.
        driver = new TopologyTestDriver(PolicyTopology.build(config, serdes), config.streamsProperties(), T0);
        StringSerializer keys = new StringSerializer();
        commands = driver.createInputTopic(Topics.COMMANDS.name(), keys,
                serdes.value(Topics.COMMANDS).serializer());
        results = driver.createInputTopic(Topics.TOOL_RESULTS.name(), keys,
                serdes.value(Topics.TOOL_RESULTS).serializer());
        policies = driver.createInputTopic(Topics.POLICIES.name(), keys, serdes.value(Topics.POLICIES).serializer());
        identities = driver.createInputTopic(Topics.IDENTITIES.name(), keys,
                serdes.value(Topics.IDENTITIES).serializer());
        killSwitches = driver.createInputTopic(Topics.KILL_SWITCHES.name(), keys,
                serdes.value(Topics.KILL_SWITCHES).serializer());
        artifacts = driver.createOutputTopic(Topics.ARTIFACTS.name(), new StringDeserializer(),
                serdes.value(Topics.ARTIFACTS).deserializer());
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

    /** As intake would: signed, the record's timestamp at the command's issuedAt. */
    private void send(Command command) {
        commands.pipeInput(command.getRunId(), signed(command), command.getIssuedAt());
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
            if (previous != null || event.getSeq() == 1) {
                assertThat(event.getPrevHash()).isEqualTo(previous == null ? LedgerHash.GENESIS : previous);
                assertThat(event.getSeq()).isEqualTo(events.isEmpty() ? 1 : events.get(events.size() - 1).getSeq() + 1);
            }
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
        assertThat(events).allSatisfy(e -> assertThat(e.getPolicyVersion()).isEqualTo("2026.12.05-1"));
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
        publish(DefaultBundle.yaml().replace("version: \"2026.12.05-1\"", "version: \"broken\"")
                .replace("tool.risk == \"read\"", "tool.risky == \"read\""));
        send(requestRun("r1"));
        publish(DefaultBundle.yaml().replace("version: \"2026.12.05-1\"", "version: \"2026.12.06-1\""));
        send(toolCall("r1", "c1", "search_docs", SEARCH));

        List<LedgerEvent> events = verifiedLedger();
        assertThat(events).extracting(LedgerEvent::getPolicyVersion).containsExactly("2026.12.05-1", "2026.12.06-1");
    }

    @Test
    void aSecondContentUnderAPublishedVersionIsRefusedAndTheFirstStaysInForce() {
        String first = DefaultBundle.yaml();
        String readToolsDenied = first.replace("when: 'tool.risk == \"read\"'", "when: 'tool.risk == \"none\"'");
        assertThat(readToolsDenied).isNotEqualTo(first);
        publish(first);
        publish(readToolsDenied);
        send(requestRun("r1"));
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        KeyValueStore<String, PolicyBundle> store = driver.getKeyValueStore(PolicyTopology.POLICY_STORE);
        assertThat(store.get("default").getSha256()).isEqualTo(Sha256.hex(first));

        publish(first);
        publish(readToolsDenied.replace("version: \"2026.12.05-1\"", "version: \"2026.12.06-1\""));
        send(toolCall("r1", "c2", "search_docs", SEARCH));

        List<LedgerEvent> events = verifiedLedger();
        assertThat(events).extracting(e -> e.getPayload().getClass().getSimpleName()).containsExactly(
                RunAdmitted.class.getSimpleName(), ToolCallApproved.class.getSimpleName(),
                ToolCallDenied.class.getSimpleName());
        assertThat(events).extracting(LedgerEvent::getPolicyVersion)
                .containsExactly("2026.12.05-1", "2026.12.05-1", "2026.12.06-1");
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
        commands.pipeInput("other", signed(requestRun("r1")), T0);
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

    private List<String> types(List<LedgerEvent> events) {
        return events.stream().map(e -> e.getPayload().getClass().getSimpleName()).toList();
    }

    @Test
    void aHeldCallExpiresOnTheWallClockPunctuatorAtItsOwnExpiryTime() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        send(toolCall("r1", "c1", "tickets.update", BULK));
        assertThat(dispatch.isEmpty()).isTrue();
        KeyValueStore<String, String> expiries = driver.getKeyValueStore(PolicyTopology.APPROVAL_EXPIRY_STORE);
        assertThat(RunProcessorIndexes.count(expiries)).isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofMinutes(30));
        assertThat(types(verifiedLedger())).containsExactly("RunAdmitted", "ToolCallHeld");
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        List<LedgerEvent> expired = verifiedLedger();
        assertThat(types(expired)).containsExactly("ApprovalExpired");
        assertThat(expired.get(0).getOccurredAt()).isEqualTo(T0.plusSeconds(1).plus(Duration.ofMinutes(30)));
        assertThat(expired.get(0).getCausationId()).isNull();
        assertThat(RunProcessorIndexes.count(expiries)).isZero();
    }

    @Test
    void anApprovalDispatchesTheHeldCall() {
        publish(DefaultBundle.yaml());
        identities.pipeInput("lead", human("lead", TENANT, true, "support-lead"));
        send(requestRun("r1"));
        send(toolCall("r1", "c1", "tickets.update", BULK));
        send(decideApproval("r1", "lead", T0.plusSeconds(30), "c1", ApprovalDecision.APPROVE));

        assertThat(types(verifiedLedger())).containsExactly("RunAdmitted", "ToolCallHeld", "ApprovalGranted");
        ToolCallDispatch dispatched = dispatch.readValue();
        assertThat(dispatched.getArgsJson()).isEqualTo(BULK);
        assertThat(dispatched.getLedgerSeq()).isEqualTo(3);
        assertThat(RunProcessorIndexes.count(driver.getKeyValueStore(PolicyTopology.APPROVAL_EXPIRY_STORE))).isZero();
    }

    @Test
    void aKillSwitchHaltsTheActiveRunsOfItsScopeWithoutACommand() {
        publish(DefaultBundle.yaml());
        identities.pipeInput("agent-2", identity("agent-2", true));
        send(requestRun("r1"));
        send(requestRun("r2"));
        send(command("r3", "agent-2", T0, ((Command) requestRun("r3")).getPayload()));
        verifiedLedgerAll();
        KeyValueStore<String, String> active = driver.getKeyValueStore(PolicyTopology.ACTIVE_RUN_STORE);
        assertThat(RunProcessorIndexes.count(active)).isEqualTo(3);

        killSwitches.pipeInput("agent:" + AGENT, KillSwitch.newBuilder(killSwitch(KillSwitchScope.AGENT, AGENT, true))
                .setUpdatedAt(T0.plusSeconds(10)).build());
        driver.advanceWallClockTime(Duration.ofMillis(200));

        Map<String, List<LedgerEvent>> halted = verifiedLedgerAll();
        assertThat(halted.keySet()).containsExactlyInAnyOrder("r1", "r2");
        assertThat(halted.values()).allSatisfy(events -> {
            assertThat(types(events)).containsExactly("RunHalted");
            assertThat(events.get(0).getOccurredAt()).isEqualTo(T0.plusSeconds(10));
        });
        assertThat(RunProcessorIndexes.count(active)).isEqualTo(1);

        killSwitches.pipeInput("agent:" + AGENT, killSwitch(KillSwitchScope.AGENT, AGENT, false));
        send(requestRun("r4"));
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        Map<String, List<LedgerEvent>> after = verifiedLedgerAll();
        assertThat(types(after.get("r4"))).containsExactly("RunAdmitted");
        assertThat(types(after.get("r1"))).containsExactly("ToolCallDenied");
    }

    @Test
    void disablingAnIdentityHaltsItsRunsWithoutACommand() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        verifiedLedger();
        identities.pipeInput(AGENT, Identity.newBuilder(identity(AGENT, false)).setUpdatedAt(T0.plusSeconds(20))
                .build());
        driver.advanceWallClockTime(Duration.ofMillis(200));
        List<LedgerEvent> events = verifiedLedger();
        assertThat(types(events)).containsExactly("RunHalted");
        assertThat(((RunHalted) events.get(0).getPayload()).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.IDENTITY_DISABLED);
    }

    @Test
    void artifactsGoToTheArtifactsTopicAndTheGatesReadThemBack() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1", "research", "staging", "Internal"));
        String bad = "{\"title\":\"t\",\"summary\":\"mail jane@example.com\",\"owner\":\"o\"}";
        String good = "{\"title\":\"t\",\"summary\":\"mail the queue\",\"owner\":\"o\"}";
        send(artifact("r1", "report", bad));
        send(completeStage("r1", "deliver"));
        send(artifact("r1", "report", good));
        send(completeStage("r1", "deliver"));

        TestRecord<String, ArtifactContent> stored = artifacts.readRecord();
        assertThat(stored.key()).isEqualTo(Sha256.hex(bad));
        assertThat(stored.value().getContent()).isEqualTo(bad);
        assertThat(stored.value().getRunId()).isEqualTo("r1");
        assertThat(artifacts.readRecord().key()).isEqualTo(Sha256.hex(good));
        assertThat(types(verifiedLedger())).containsExactly("RunAdmitted", "ArtifactRecorded", "GateEvaluated",
                "GateEvaluated", "GateEvaluated", "CommandRejected", "ArtifactRecorded", "GateEvaluated",
                "GateEvaluated", "GateEvaluated", "StageAdvanced");
    }

    @Test
    void tenantTotalsAreAggregatedThroughTheRepartitionAndFedBackToTheDecisions() {
        // Fed back synchronously by the test driver; on a broker the bound in docs/architecture.md applies.
        publish(DefaultBundle.yaml().replace("runsPerDay: 1000", "runsPerDay: 2")
                .replace("toolCallsPerMinute: 600", "toolCallsPerMinute: 2"));
        send(requestRun("r1"));
        send(requestRun("r2"));
        send(requestRun("r3"));
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        send(toolCall("r1", "c2", "search_docs", SEARCH));
        send(toolCall("r2", "c3", "search_docs", SEARCH));

        Map<String, List<LedgerEvent>> events = verifiedLedgerAll();
        RunRejected rejected = (RunRejected) events.get("r3").get(0).getPayload();
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.TENANT_BUDGET_EXHAUSTED);
        assertThat(types(events.get("r1"))).containsExactly("RunAdmitted", "ToolCallApproved", "ToolCallApproved");
        ToolCallDenied denied = (ToolCallDenied) events.get("r2").get(1).getPayload();
        assertThat(denied.getReasons().get(0).getCode()).isEqualTo(ReasonCode.RATE_LIMITED);
        KeyValueStore<String, LimitUsage> totals = driver.getKeyValueStore(PolicyTopology.LIMIT_USAGE_STORE);
        assertThat(totals.get(LimitsDecider.tenantDay(TENANT, T0)).getRuns()).isEqualTo(2);
        assertThat(totals.get(LimitsDecider.agentMinute(AGENT, T0.plusSeconds(1))).getToolCalls()).isEqualTo(2);
    }

    /** The ledger read so far, by run, each run's chain verified from its first event. */
    private Map<String, List<LedgerEvent>> verifiedLedgerAll() {
        Map<String, List<LedgerEvent>> byRun = new java.util.TreeMap<>();
        for (TestRecord<String, byte[]> record : ledger.readRecordsToList()) {
            LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(Topics.LEDGER.name(),
                    record.value());
            assertThat(new String(record.headers().lastHeader(LedgerHash.HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo(LedgerHash.ofRecordValue(record.value()));
            byRun.computeIfAbsent(event.getRunId(), k -> new ArrayList<>()).add(event);
        }
        return byRun;
    }

    @Test
    void anUnsignedCommandForANewRunCreatesNoRunAndIsDeadLettered() {
        publish(DefaultBundle.yaml());
        commands.pipeInput("r1", requestRun("r1"), T0);

        assertThat(ledger.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON_CODE)).contains("COMMAND_UNAUTHENTICATED");
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("r1");
        assertThat(serdes.value(Topics.COMMANDS).deserializer().deserialize(Topics.COMMANDS.name(), dead.value())
                .getRunId()).isEqualTo("r1");
        assertThat(driver.<String, Object>getKeyValueStore(PolicyTopology.RUN_STATE_STORE).get("r1")).isNull();

        send(requestRun("r1"));
        assertThat(verifiedLedger()).singleElement().satisfies(e -> assertThat(e.getSeq()).isEqualTo(1));
    }

    @Test
    void aSignedCommandForARunNeverRequestedCreatesNoRun() {
        publish(DefaultBundle.yaml());
        identities.pipeInput("agent-2", identity("agent-2", true));
        send(command("r1", "agent-2", T0, toolCall("r1", "c1", "search_docs", SEARCH).getPayload()));

        assertThat(ledger.isEmpty()).isTrue();
        assertThat(DeadLetters.header(dlq.readRecord().headers(), DeadLetters.REASON_CODE)).contains("RUN_NOT_ACTIVE");
        send(requestRun("r1"));
        assertThat(verifiedLedger()).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOf(dev.tollgate.events.RunAdmitted.class);
            assertThat(e.getPrincipalId()).isEqualTo(AGENT);
        });
    }

    @Test
    void aForgedCommandOnARunIsRecordedAsRejectedWithoutDecidingOrBurningItsCommandId() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        Command real = toolCall("r1", "c1", "search_docs", SEARCH);
        commands.pipeInput("r1", real, real.getIssuedAt());
        Command tampered = signed(real);
        ((dev.tollgate.events.RequestToolCall) tampered.getPayload()).setTool("tickets.update");
        commands.pipeInput("r1", tampered, real.getIssuedAt());

        List<LedgerEvent> events = verifiedLedger();
        assertThat(types(events)).containsExactly("RunAdmitted", "CommandRejected", "CommandRejected");
        for (LedgerEvent event : events.subList(1, 3)) {
            dev.tollgate.events.CommandRejected rejected = (dev.tollgate.events.CommandRejected) event.getPayload();
            assertThat(rejected.getReasons()).extracting(r -> r.getCode().name())
                    .containsExactly("COMMAND_UNAUTHENTICATED");
            assertThat(rejected.getCallId()).as("answers no call's waiter").isNull();
            assertThat(event.getCausationId()).isNull();
            assertThat(event.getPrincipalId()).isEqualTo("unauthenticated");
        }
        assertThat(dispatch.isEmpty()).isTrue();

        send(real);
        assertThat(types(verifiedLedger())).containsExactly("ToolCallApproved");
        assertThat(dispatch.readValue().getCallId()).isEqualTo("c1");
    }

    @Test
    void everyDispatchCarriesTheProcessorsProof() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        ToolCallDispatch dispatched = dispatch.readValue();
        assertThat(dispatched.getProof()).isNotNull();
        assertThat(dispatched.getProof().getScheme()).isEqualTo(dev.tollgate.events.auth.Proofs.HMAC);
        assertThat(dispatched.getProof().getSignerId()).isEqualTo(RunProcessor.DISPATCH_SIGNER);
    }

    @Test
    void anIssuedAtFarFromTheRecordTimestampIsRejectedAsClockSkew() {
        publish(DefaultBundle.yaml());
        send(requestRun("r1"));
        Command late = signed(toolCall("r1", "c1", "search_docs", SEARCH));
        commands.pipeInput("r1", late, late.getIssuedAt().plus(Duration.ofMinutes(6)));

        LedgerEvent rejected = verifiedLedger().get(1);
        assertThat(((dev.tollgate.events.CommandRejected) rejected.getPayload()).getReasons())
                .extracting(r -> r.getCode().name()).containsExactly("CLOCK_SKEW");
        assertThat(rejected.getOccurredAt()).as("the record's time, not the claimed one")
                .isEqualTo(late.getIssuedAt().plus(Duration.ofMinutes(6)));
        assertThat(dispatch.isEmpty()).isTrue();
    }

    @Test
    void aRunsRecordKeepsOnlyItsHeldCallsTheRestIsStoredPerCallAndPerCommand() {
        publish(DefaultBundle.yaml());
        identities.pipeInput("lead", human("lead", TENANT, true, "support-lead"));
        Command admit = requestRun("r1");
        Command search = toolCall("r1", "c1", "search_docs", SEARCH);
        send(admit);
        send(search);
        send(toolCall("r1", "c2", "tickets.update", BULK));
        results.pipeInput("r1", result("r1", "c1", "search_docs", 900));
        assertThat(types(verifiedLedger())).containsExactly("RunAdmitted", "ToolCallApproved", "ToolCallHeld",
                "ToolCallCompleted");

        KeyValueStore<String, RunState> runs = driver.getKeyValueStore(PolicyTopology.RUN_STATE_STORE);
        KeyValueStore<String, CallState> calls = driver.getKeyValueStore(PolicyTopology.RUN_CALL_STORE);
        KeyValueStore<String, String> commandIds = driver.getKeyValueStore(PolicyTopology.RUN_COMMAND_STORE);
        assertThat(runs.get("r1").getCalls()).containsOnlyKeys("c2");
        assertThat(runs.get("r1").getProcessedCommandIds()).isEmpty();
        assertThat(calls.get("r1/c1").getStatus()).isEqualTo(CallStatus.COMPLETED);
        assertThat(commandIds.get("r1/" + admit.getCommandId())).isNotNull();
        assertThat(commandIds.get("r1/" + search.getCommandId())).isNotNull();

        // A redelivered command has no second effect; a new command reusing a settled callId is refused.
        send(search);
        assertThat(ledger.isEmpty()).isTrue();
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        assertThat(types(verifiedLedger())).containsExactly("CommandRejected");
        results.pipeInput("r1", result("r1", "c1", "search_docs", 900));
        assertThat(ledger.isEmpty()).isTrue();

        send(decideApproval("r1", "lead", T0.plusSeconds(30), "c2", ApprovalDecision.APPROVE));
        assertThat(types(verifiedLedger())).containsExactly("ApprovalGranted");
        assertThat(runs.get("r1").getCalls()).isEmpty();
        assertThat(calls.get("r1/c2").getStatus()).isEqualTo(CallStatus.APPROVED);
        assertThat(runs.get("r1").getSpentCostMicros()).isEqualTo(900);
    }

    @Test
    void aRecordWrittenWithEveryCallInlineIsReadAsItIsAndMovedOutOnItsNextDecision() {
        publish(DefaultBundle.yaml());
        Command search = toolCall("r1", "c1", "search_docs", SEARCH);
        send(requestRun("r1"));
        send(search);
        verifiedLedger();
        KeyValueStore<String, RunState> runs = driver.getKeyValueStore(PolicyTopology.RUN_STATE_STORE);
        KeyValueStore<String, CallState> calls = driver.getKeyValueStore(PolicyTopology.RUN_CALL_STORE);
        KeyValueStore<String, String> commandIds = driver.getKeyValueStore(PolicyTopology.RUN_COMMAND_STORE);
        // The layout before the split: every call and the answered command ids in the run's record.
        RunState legacy = RunState.newBuilder(runs.get("r1")).setCalls(Map.of("c1", calls.get("r1/c1")))
                .setProcessedCommandIds(List.of(search.getCommandId())).build();
        runs.put("r1", legacy);
        calls.delete("r1/c1");
        commandIds.delete("r1/" + search.getCommandId());

        send(search);
        assertThat(ledger.isEmpty()).isTrue();
        send(toolCall("r1", "c1", "search_docs", SEARCH));
        assertThat(types(verifiedLedger())).containsExactly("CommandRejected");
        assertThat(runs.get("r1").getCalls()).isEmpty();
        assertThat(runs.get("r1").getProcessedCommandIds()).isEmpty();
        assertThat(calls.get("r1/c1").getStatus()).isEqualTo(CallStatus.APPROVED);
        assertThat(commandIds.get("r1/" + search.getCommandId())).isNotNull();
    }

    @Test
    void describeMatchesTheGoldenFile() throws Exception {
        Topology topology = PolicyTopology.build(config(), serdes);
        String described = topology.describe().toString();
        // Rewritten only on purpose (-Dgolden.update=true); a missing golden file fails instead of writing itself.
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(GOLDEN, described);
        }
        assertThat(GOLDEN).as("golden topology %s; write it with -Dgolden.update=true", GOLDEN).exists();
        assertThat(described).isEqualTo(Files.readString(GOLDEN));
    }
}
