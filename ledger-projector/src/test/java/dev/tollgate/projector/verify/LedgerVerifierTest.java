package dev.tollgate.projector.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import dev.tollgate.projector.fixtures.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LedgerVerifierTest {

    private final TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
    private final Wire wire = new Wire(serdes);
    private final TestGateway gateway = new TestGateway();
    private final Map<String, GatewayKey> keys = Map.of(gateway.keyId(), gateway.gatewayKey());
    private final LedgerVerifier verifier = verifier(serdes, id -> Optional.ofNullable(keys.get(id)));

    /** The verifier under test: here the topic's serde decodes every record in full. */
    LedgerVerifier verifier(TollgateSerdes serdes, Function<String, Optional<GatewayKey>> gatewayKeys) {
        return new LedgerVerifier(serdes.value(Topics.LEDGER).deserializer(), gatewayKeys);
    }

    private RunLedger validRun() {
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        run.approved("c1", "fs.read");
        run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 10,
                gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
        run.runCompleted();
        return run;
    }

    @Test
    void aWellChainedRunWithSignedReceiptsIsValid() {
        RunLedger run = validRun();
        RunVerification result = verifier.verifyRun(run.runId(), wire.raw(run.events()));
        assertThat(result).isEqualTo(new RunVerification(true, 4, run.headHash(), null, null));
    }

    @Test
    void aRecordWithAWrongPrevHashIsAHashMismatchAtItsSeq() {
        RunLedger run = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        LedgerEvent forged = LedgerEvent.newBuilder(run.last()).setSeq(5).setEventId("forged")
                .setPrevHash("f".repeat(64)).build();
        records.add(wire.raw(forged));
        RunVerification result = verifier.verifyRun(run.runId(), records);
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBrokenSeq()).isEqualTo(5);
        assertThat(result.reason()).startsWith("hash mismatch");
        assertThat(result.events()).isEqualTo(5);
    }

    @Test
    void aModifiedBodyIsReportedAgainstItsHashHeader() {
        RunLedger run = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        LedgerEvent original = run.events().get(1);
        LedgerEvent modified = LedgerEvent.newBuilder(original)
                .setPayload(ToolCallApproved.newBuilder((ToolCallApproved) original.getPayload()).setTool("shell")
                        .build()).build();
        records.set(1, wire.raw(run.runId(), wire.bytes(modified), LedgerHash.of(original)));
        RunVerification result = verifier.verifyRun(run.runId(), records);
        assertThat(result.firstBrokenSeq()).isEqualTo(2);
        assertThat(result.reason()).startsWith("modified body");
    }

    @Test
    void aMissingSeqIsAGap() {
        RunLedger run = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        records.remove(1);
        RunVerification result = verifier.verifyRun(run.runId(), records);
        assertThat(result.firstBrokenSeq()).isEqualTo(3);
        assertThat(result.reason()).isEqualTo("gap: expected seq 2, found 3");
    }

    @Test
    void aRepeatedSeqIsADuplicate() {
        RunLedger run = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        records.add(2, wire.raw(run.events().get(1)));
        RunVerification result = verifier.verifyRun(run.runId(), records);
        assertThat(result.firstBrokenSeq()).isEqualTo(2);
        assertThat(result.reason()).isEqualTo("duplicate seq 2");
    }

    @Test
    void aTamperedReceiptIsABadSignature() {
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        Receipt receipt = gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.FAILED);
        receipt.setStatus(ToolCallStatus.SUCCEEDED);
        run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 0, receipt);
        RunVerification result = verifier.verifyRun(run.runId(), wire.raw(run.events()));
        assertThat(result.firstBrokenSeq()).isEqualTo(2);
        assertThat(result.reason()).startsWith("bad signature").contains("does not verify");
    }

    @Test
    void aReceiptSignedWithAnUnpublishedKeyIsABadSignatureUnknownKey() {
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 0,
                new TestGateway().receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
        RunVerification result = verifier.verifyRun(run.runId(), wire.raw(run.events()));
        assertThat(result.firstBrokenSeq()).isEqualTo(2);
        assertThat(result.reason()).startsWith("bad signature: unknown key");
    }

    @Test
    void aFirstEventThatDoesNotStartFromGenesisIsAHashMismatch() {
        RunLedger run = RunLedger.forTenant("acme");
        LedgerEvent first = LedgerEvent.newBuilder(run.admitted()).setPrevHash("1".repeat(64)).build();
        RunVerification result = verifier.verifyRun(run.runId(), List.of(wire.raw(first)));
        assertThat(result.firstBrokenSeq()).isEqualTo(1);
        assertThat(result.reason()).startsWith("hash mismatch");
    }

    @Test
    void undecodableBytesBreakTheRunOfTheirKey() {
        RunLedger run = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(run.events()));
        records.add(wire.raw(run.runId(), new byte[] {0, 0, 0, 0, 1, 42}, null));
        RunVerification result = verifier.verifyRun(run.runId(), records);
        assertThat(result.firstBrokenSeq()).isEqualTo(5);
        assertThat(result.reason()).startsWith("undecodable");
    }

    @Test
    void verifyAllReportsTheFirstBreakOfEachBrokenRunOnly() {
        RunLedger good = validRun();
        RunLedger bad = validRun();
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(good.events()));
        List<LedgerEvent> badEvents = bad.events();
        records.add(wire.raw(badEvents.get(0)));
        records.add(wire.raw(badEvents.get(2)));
        records.add(wire.raw(badEvents.get(3)));
        LedgerReport report = verifier.verifyAll(records);
        assertThat(report.runs()).isEqualTo(2);
        assertThat(report.events()).isEqualTo(7);
        assertThat(report.valid()).isFalse();
        assertThat(report.broken()).containsExactly(new LedgerReport.Broken(bad.runId(), 3,
                "gap: expected seq 2, found 3"));
    }

    @Test
    void runsOfOtherRunsInThePartitionAreIgnored() {
        RunLedger run = validRun();
        RunLedger other = RunLedger.forTenant("other");
        other.admitted();
        other.denied("x", "shell", ReasonCode.TOOL_UNKNOWN);
        List<RawLedgerRecord> records = new ArrayList<>(wire.raw(other.events()));
        records.addAll(wire.raw(run.events()));
        assertThat(verifier.verifyRun(run.runId(), records).events()).isEqualTo(4);
        assertThat(verifier.verifyRun("no-such-run", records))
                .isEqualTo(new RunVerification(true, 0, null, null, null));
    }
}
