package dev.tollgate.projector.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import dev.tollgate.projector.fixtures.Wire;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link LedgerVerifierTest} again with the verifier {@code tollgate ledger verify} uses, whose
 * decoder reads only {@link LedgerVerifier#FIELDS} of the envelope: it must find the same breaks, at the same seqs,
 * with the same reasons.
 */
class FastDecodingLedgerVerifierTest extends LedgerVerifierTest {

    @Override
    LedgerVerifier verifier(TollgateSerdes serdes, Function<String, Optional<GatewayKey>> gatewayKeys) {
        return LedgerVerifier.of(serdes, gatewayKeys);
    }

    @Test
    void theInheritedCasesRunOnTheFastPathNotOnItsFallback() {
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        TestGateway gateway = new TestGateway();
        LedgerVerifier verifier = verifier(serdes, id -> id.equals(gateway.keyId())
                ? Optional.of(gateway.gatewayKey()) : Optional.empty());
        RunLedger run = RunLedger.forTenant("acme");
        run.admitted();
        run.approved("c1", "fs.read");
        run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 10,
                gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
        run.runCompleted();

        assertThat(verifier.verifyRun(run.runId(), new Wire(serdes).raw(run.events())).valid()).isTrue();
        assertThat(verifier.decoder().fastDecoded()).isEqualTo(4);
        assertThat(verifier.decoder().fullyDecoded()).isZero();
    }
}
