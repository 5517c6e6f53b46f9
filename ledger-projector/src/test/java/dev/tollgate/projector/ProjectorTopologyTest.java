package dev.tollgate.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.ledger.model.PendingApproval;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.ledger.model.TimelineEntry;
import dev.tollgate.ledger.model.ToolCallView;
import dev.tollgate.projector.fixtures.ProjectorDriver;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import dev.tollgate.projector.verify.RunSpan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProjectorTopologyTest {

    private final ProjectorDriver driver = new ProjectorDriver();
    private final TestGateway gateway = new TestGateway();

    @AfterEach
    void close() {
        driver.close();
    }

    private <V> KeyValueStore<String, V> store(String name) {
        return driver.driver().getKeyValueStore(name);
    }

    private RunLedger recordedRun() {
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        run.approved("c1", "fs.read");
        run.held("c2", "http.fetch");
        run.held("c3", "http.fetch");
        run.granted("c2");
        run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 250,
                gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
        run.denied("c4", "shell", ReasonCode.TOOL_NOT_ALLOWED);
        run.usage(100, 50, 40, 150);
        return run;
    }

    @Test
    void projectsRunViewTimelineToolCallsAndInbox() {
        RunLedger run = recordedRun();
        driver.pipe(run);

        RunView view = this.<RunView>store(ProjectorTopology.RUN_VIEW_STORE).get(run.runId());
        assertThat(view.status()).isEqualTo("ADMITTED");
        assertThat(view.counters()).isEqualTo(new RunView.Counters(2, 1, 1, 1, 0));
        assertThat(view.spend()).isEqualTo(new RunView.Spend(290, 150));
        assertThat(view.lastSeq()).isEqualTo(8);
        assertThat(view.headHash()).isEqualTo(run.headHash());

        List<TimelineEntry> timeline = new ArrayList<>();
        try (KeyValueIterator<String, TimelineEntry> it = this.<TimelineEntry>store(
                ProjectorTopology.RUN_TIMELINE_STORE).range(run.runId() + "/", run.runId() + "/~")) {
            it.forEachRemaining(kv -> timeline.add(kv.value));
        }
        assertThat(timeline).extracting(TimelineEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(timeline.get(7).hash()).isEqualTo(run.headHash());
        assertThat(timeline.get(1).prevHash()).isEqualTo(timeline.get(0).hash());

        KeyValueStore<String, List<ToolCallView>> calls = store(ProjectorTopology.TOOL_CALL_STORE);
        assertThat(calls.get("c1")).singleElement().satisfies(c -> {
            assertThat(c.decision()).isEqualTo("APPROVED");
            assertThat(c.status()).isEqualTo("SUCCEEDED");
            assertThat(c.receipt().path("signature").asText()).isNotBlank();
        });
        assertThat(calls.get("c2")).singleElement().extracting(ToolCallView::decision).isEqualTo("APPROVED");
        assertThat(calls.get("c3")).singleElement().extracting(ToolCallView::decision).isEqualTo("PENDING_APPROVAL");
        assertThat(calls.get("c4")).singleElement().extracting(ToolCallView::decision).isEqualTo("DENIED");

        List<String> pending = new ArrayList<>();
        try (KeyValueIterator<String, PendingApproval> it = this.<PendingApproval>store(
                ProjectorTopology.APPROVAL_INBOX_STORE).all()) {
            it.forEachRemaining(kv -> pending.add(kv.value.callId()));
        }
        assertThat(pending).containsExactly("c3");
    }

    @Test
    void aRecordReadAgainIsNotAppliedTwice() {
        RunLedger run = recordedRun();
        driver.pipe(run);
        RunView before = this.<RunView>store(ProjectorTopology.RUN_VIEW_STORE).get(run.runId());
        List<ToolCallView> c1 = this.<List<ToolCallView>>store(ProjectorTopology.TOOL_CALL_STORE).get("c1");

        driver.pipe(run.events().subList(1, 6));

        assertThat(this.<RunView>store(ProjectorTopology.RUN_VIEW_STORE).get(run.runId())).isEqualTo(before);
        assertThat(this.<List<ToolCallView>>store(ProjectorTopology.TOOL_CALL_STORE).get("c1")).isEqualTo(c1);
    }

    @Test
    void eachRunKeepsTheSpanOfItsLedgerOffsetsIncludingRecordsItSkipped() {
        RunLedger a = recordedRun();
        RunLedger b = RunLedger.forTenant("acme");
        b.admitted();
        driver.pipe(a.events().subList(0, 3));
        driver.pipe(b);
        driver.pipe(a.events().subList(3, 8));
        driver.pipe(a.events().subList(0, 1));

        KeyValueStore<String, RunSpan> spans = store(ProjectorTopology.RUN_OFFSET_STORE);
        assertThat(spans.get(a.runId())).isEqualTo(new RunSpan(0, 0, 9));
        assertThat(spans.get(b.runId())).isEqualTo(new RunSpan(0, 3, 3));
    }

    @Test
    void sameCallIdInTwoRunsKeepsTwoCalls() {
        RunLedger a = RunLedger.forTenant("acme");
        a.admitted();
        a.approved("shared", "fs.read");
        RunLedger b = RunLedger.forTenant("globex");
        b.admitted();
        b.denied("shared", "fs.read", ReasonCode.DENIED_BY_RULE);
        driver.pipe(a);
        driver.pipe(b);
        assertThat(this.<List<ToolCallView>>store(ProjectorTopology.TOOL_CALL_STORE).get("shared"))
                .extracting(ToolCallView::tenantId, ToolCallView::decision)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("acme", "APPROVED"),
                        org.assertj.core.groups.Tuple.tuple("globex", "DENIED"));
    }

    @Test
    void aPoisonPillGoesToTheDeadLetterTopicAndProjectionContinues() {
        RunLedger run = recordedRun();
        driver.pipe(run.events().subList(0, 2));
        driver.pipe(run.runId(), "not avro".getBytes(StandardCharsets.UTF_8), "0".repeat(64));
        driver.pipe(run.events().subList(2, 8));

        TestRecord<byte[], byte[]> dead = driver.dlq().readRecord();
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).contains("tollgate.ledger.v1");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isPresent();
        assertThat(driver.dlq().isEmpty()).isTrue();
        assertThat(this.<RunView>store(ProjectorTopology.RUN_VIEW_STORE).get(run.runId()).lastSeq()).isEqualTo(8);
    }

    @Test
    void identitiesAndGatewayKeysAreGlobalStores() {
        driver.identity("p1", "acme", "tg_key", true, "admin");
        driver.gatewayKey(gateway.gatewayKey());
        KeyValueStore<String, Object> identities = driver.driver().getKeyValueStore(ProjectorTopology.IDENTITY_STORE);
        assertThat(identities.get(ProjectorTopology.principalIndex("p1"))).isNotNull();
        assertThat(identities.get(ProjectorTopology.apiKeyIndex(Sha256.hex("tg_key")))).isNotNull();

        driver.identity("p1", "acme", "tg_key_2", true, "admin");
        assertThat(identities.get(ProjectorTopology.apiKeyIndex(Sha256.hex("tg_key")))).isNull();
        assertThat(identities.get(ProjectorTopology.apiKeyIndex(Sha256.hex("tg_key_2")))).isNotNull();
        assertThat(driver.driver().getKeyValueStore(ProjectorTopology.GATEWAY_KEY_STORE).get(gateway.keyId()))
                .isNotNull();
    }

    @Test
    void topologyMatchesTheGoldenDescription() throws IOException {
        String described = driver.topology().describe().toString();
        Path golden = Path.of("src/test/resources/projector-topology.txt");
        // Rewritten only on purpose (-Dgolden.update=true); a missing golden file fails instead of writing itself.
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, described);
        }
        assertThat(golden).as("golden topology %s; write it with -Dgolden.update=true", golden).exists();
        assertThat(described).isEqualTo(Files.readString(golden));
        assertThat(described).contains("tool-calls-by-call-id-repartition", "project-run", "project-tool-call",
                ProjectorTopology.RUN_VIEW_STORE, ProjectorTopology.RUN_TIMELINE_STORE,
                ProjectorTopology.TOOL_CALL_STORE, ProjectorTopology.APPROVAL_INBOX_STORE);
    }

    @SuppressWarnings("unused")
    private static <K, V> List<KeyValue<K, V>> all(KeyValueIterator<K, V> it) {
        List<KeyValue<K, V>> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
