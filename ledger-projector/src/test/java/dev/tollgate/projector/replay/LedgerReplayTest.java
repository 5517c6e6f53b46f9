package dev.tollgate.projector.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.projector.fixtures.SampleRun;
import dev.tollgate.projector.fixtures.Wire;
import dev.tollgate.projector.verify.RawLedgerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerReplayTest {

    private final TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
    private final Wire wire = new Wire(serdes);

    private List<RawLedgerRecord> ledger() {
        List<LedgerEvent> events = new ArrayList<>();
        RunLedger busy = SampleRun.everyDecision("acme");
        busy.held("c7", "http.fetch"); // left open
        busy.halted(ReasonCode.TOOL_UNKNOWN);
        events.addAll(busy.events());
        RunLedger rejected = new RunLedger("run-rejected", "other", "agent-other");
        rejected.rejected(ReasonCode.TOOL_UNKNOWN);
        events.addAll(rejected.events());
        RunLedger done = RunLedger.forTenant("acme");
        done.admitted();
        done.usage(1, 2, 3, 3);
        done.runCompleted();
        events.addAll(done.events());
        events.add(busy.events().get(3)); // a repeated seq: already applied
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(events));
        records.add(wire.raw(done.runId(), new byte[] {0, 0, 0, 0, 1, 42}, null));
        records.add(wire.raw(done.runId(), null, null));
        return records;
    }

    @Test
    void theFastDecoderRebuildsTheSameViewsAsDecodingInFull() {
        List<RawLedgerRecord> records = ledger();
        LedgerReplay reference = new LedgerReplay(serdes.value(Topics.LEDGER).deserializer(), null);
        LedgerReplay fast = new LedgerReplay(LedgerReplay.decoder(serdes), null);
        records.forEach(reference::accept);
        records.forEach(fast::accept);

        Map<String, RunView> views = fast.views();
        assertThat(views).hasSize(3).isEqualTo(reference.views());
        assertThat(views.get("run-rejected").status()).isEqualTo(LedgerFold.REJECTED);
        assertThat(fast.applied()).isEqualTo(reference.applied()).isEqualTo(records.size() - 2);
        assertThat(fast.undecodable()).isEqualTo(reference.undecodable()).isEqualTo(2);
    }

    @Test
    void headHashIsTheHashOfTheLastEventAppliedNotOfARepeatedOne() {
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        run.approved("c1", "fs.read");
        run.runCompleted();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        records.add(wire.raw(run.events().get(1))); // seq 2 again, after seq 3
        LedgerReplay replay = new LedgerReplay(LedgerReplay.decoder(serdes), null);
        records.forEach(replay::accept);

        RunView view = replay.views().get(run.runId());
        assertThat(view.lastSeq()).isEqualTo(3);
        assertThat(view.headHash()).isEqualTo(run.headHash());
    }

    @Test
    void aRunFilterKeepsOnlyThatRun() {
        List<RawLedgerRecord> records = ledger();
        LedgerReplay reference = new LedgerReplay(serdes.value(Topics.LEDGER).deserializer(), "run-rejected");
        LedgerReplay fast = new LedgerReplay(LedgerReplay.decoder(serdes), "run-rejected");
        records.forEach(reference::accept);
        records.forEach(fast::accept);

        assertThat(fast.views()).containsOnlyKeys("run-rejected").isEqualTo(reference.views());
    }
}
