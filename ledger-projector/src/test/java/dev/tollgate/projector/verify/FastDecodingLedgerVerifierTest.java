package dev.tollgate.projector.verify;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.serde.TollgateSerdes;
import java.util.Optional;
import java.util.function.Function;

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
}
