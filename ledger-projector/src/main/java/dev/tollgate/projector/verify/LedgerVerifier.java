package dev.tollgate.projector.verify;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import dev.tollgate.events.serde.TollgateSerdes;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Verifies the ledger from its raw bytes, used by both {@code GET /v1/runs/{runId}/verify} and
 * {@code tollgate ledger verify}. Each record's hash is recomputed over its Avro body
 * ({@link LedgerHash#ofRecordValue}); the record is decoded only to read runId, seq, prevHash and a completed
 * call's receipt. Records are checked in topic order (one run lives in one partition, so that is the run's order).
 *
 * <p>A run is broken at the first record where, in this order of checks:
 * <ol>
 *     <li>the value is not a decodable ledger event ({@code undecodable});</li>
 *     <li>the {@code tollgate-hash} header differs from the recomputed hash ({@code modified body}); a record without
 *     the header is not broken for that alone, the chain still covers it;</li>
 *     <li>the seq is not above the previous one ({@code duplicate seq}, or {@code seq out of order});</li>
 *     <li>the seq skips ({@code gap});</li>
 *     <li>the prevHash is not the previous record's recomputed hash, or not 64 zeros for seq 1
 *     ({@code hash mismatch});</li>
 *     <li>a {@code ToolCallCompleted} receipt's Ed25519 signature does not verify with the key its keyId names on
 *     tollgate.gateway-keys.v1 ({@code bad signature}, {@code bad signature: unknown key ...} when the key id is
 *     not published).</li>
 * </ol>
 * Later records of a broken run are still counted, not judged.
 */
public final class LedgerVerifier {

    /** The envelope fields a verification reads (besides the payload, for receipts). */
    public static final Set<String> FIELDS = Set.of("runId", "seq", "prevHash");

    private final LedgerEventDecoder decoder;
    private final Function<String, Optional<GatewayKey>> gatewayKeys;

    /**
     * @param decoder     decodes a ledger record value (Confluent wire format)
     * @param gatewayKeys the published gateway key of a keyId
     */
    public LedgerVerifier(Deserializer<LedgerEvent> decoder, Function<String, Optional<GatewayKey>> gatewayKeys) {
        this(LedgerEventDecoder.full(decoder), gatewayKeys);
    }

    /**
     * @param decoder     decodes a ledger record value; it must read at least {@link #FIELDS}
     * @param gatewayKeys the published gateway key of a keyId
     */
    public LedgerVerifier(LedgerEventDecoder decoder, Function<String, Optional<GatewayKey>> gatewayKeys) {
        this.decoder = decoder;
        this.gatewayKeys = gatewayKeys;
    }

    /** A verifier that decodes only what verification reads ({@link #FIELDS} and the payload). */
    public static LedgerVerifier of(TollgateSerdes serdes, Function<String, Optional<GatewayKey>> gatewayKeys) {
        return new LedgerVerifier(LedgerEventDecoder.of(serdes, FIELDS), gatewayKeys);
    }

    /** The decoder of this verifier, for its counts of records decoded fast and in full. */
    LedgerEventDecoder decoder() {
        return decoder;
    }

    /** Verifies one run from its records (other runs' records are ignored). */
    public RunVerification verifyRun(String runId, Iterable<RawLedgerRecord> records) {
        Chain chain = new Chain();
        for (RawLedgerRecord record : records) {
            Decoded decoded = decode(record);
            if (runId.equals(decoded.runId())) {
                chain.accept(record, decoded);
            }
        }
        return chain.result();
    }

    /** Verifies every run found in {@code records}. */
    public LedgerReport verifyAll(Iterable<RawLedgerRecord> records) {
        AllRuns all = allRuns();
        records.forEach(all::accept);
        return all.report();
    }

    /** A verification of every run, fed record by record (so a whole ledger need not be held in memory). */
    public AllRuns allRuns() {
        return new AllRuns();
    }

    /** Chains of every run seen so far; feed records in topic order, then read {@link #report()}. */
    public final class AllRuns {
        private final Map<String, Chain> chains = new LinkedHashMap<>();
        private long events;

        private AllRuns() {
        }

        /** Checks one more record. */
        public void accept(RawLedgerRecord record) {
            Decoded decoded = decode(record);
            chains.computeIfAbsent(decoded.runId(), id -> new Chain()).accept(record, decoded);
            events++;
        }

        /** The report over every record accepted so far. */
        public LedgerReport report() {
            List<LedgerReport.Broken> broken = new ArrayList<>();
            chains.forEach((runId, chain) -> {
                RunVerification result = chain.result();
                if (!result.valid()) {
                    broken.add(new LedgerReport.Broken(runId, result.firstBrokenSeq(), result.reason()));
                }
            });
            return new LedgerReport(chains.size(), events, broken.isEmpty(), List.copyOf(broken));
        }
    }

    /** Per-run check state over records fed in topic order; {@link #verifyAll} keeps one per run. */
    private final class Chain {
        private long events;
        private long lastSeq;
        private String lastHash = LedgerHash.GENESIS;
        private Long brokenSeq;
        private String reason;

        void accept(RawLedgerRecord record, Decoded decoded) {
            events++;
            String hash = decoded.hash();
            if (brokenSeq == null) {
                Optional<String> problem = check(record, decoded);
                if (problem.isPresent()) {
                    brokenSeq = decoded.event() == null ? lastSeq + 1 : decoded.event().getSeq();
                    reason = problem.get();
                }
            }
            if (decoded.event() != null) {
                lastSeq = Math.max(lastSeq, decoded.event().getSeq());
            }
            lastHash = hash;
        }

        private Optional<String> check(RawLedgerRecord record, Decoded decoded) {
            if (decoded.event() == null) {
                return Optional.of("undecodable: " + decoded.error() + " (partition " + record.partition()
                        + ", offset " + record.offset() + ")");
            }
            LedgerEvent event = decoded.event();
            if (record.headerHash() != null && !record.headerHash().equals(decoded.hash())) {
                return Optional.of("modified body: tollgate-hash header " + record.headerHash()
                        + " but the body hashes to " + decoded.hash());
            }
            long seq = event.getSeq();
            if (seq == lastSeq) {
                return Optional.of("duplicate seq " + seq);
            }
            if (seq < lastSeq) {
                return Optional.of("seq out of order: " + seq + " after " + lastSeq);
            }
            if (seq != lastSeq + 1) {
                return Optional.of("gap: expected seq " + (lastSeq + 1) + ", found " + seq);
            }
            if (!lastHash.equals(event.getPrevHash())) {
                return Optional.of("hash mismatch: prevHash " + event.getPrevHash()
                        + " does not equal the previous event's hash " + lastHash);
            }
            if (event.getPayload() instanceof ToolCallCompleted completed && completed.getReceipt() != null) {
                return checkReceipt(completed.getReceipt());
            }
            return Optional.empty();
        }

        RunVerification result() {
            return new RunVerification(brokenSeq == null, events, events == 0 ? null : lastHash, brokenSeq, reason);
        }
    }

    private Optional<String> checkReceipt(Receipt receipt) {
        Optional<GatewayKey> key = gatewayKeys.apply(receipt.getKeyId());
        if (key.isEmpty()) {
            return Optional.of("bad signature: unknown key " + receipt.getKeyId());
        }
        PublicKey publicKey;
        try {
            publicKey = ReceiptCanonicalForm.decodePublicKey(key.get().getPublicKey());
        } catch (IllegalArgumentException e) {
            return Optional.of("bad signature: key " + receipt.getKeyId() + " is not a valid Ed25519 key");
        }
        if (!ReceiptCanonicalForm.verify(receipt, publicKey)) {
            return Optional.of("bad signature: receipt of call " + receipt.getCallId()
                    + " does not verify with key " + receipt.getKeyId());
        }
        return Optional.empty();
    }

    private Decoded decode(RawLedgerRecord record) {
        String hash;
        try {
            hash = LedgerHash.ofRecordValue(record.value());
        } catch (IllegalArgumentException e) {
            return new Decoded(keyOf(record), null, null, e.getMessage());
        }
        try {
            LedgerEvent event = decoder.decode(record.value());
            return new Decoded(event.getRunId(), event, hash, null);
        } catch (RuntimeException e) {
            return new Decoded(keyOf(record), null, hash, e.getMessage());
        }
    }

    private static String keyOf(RawLedgerRecord record) {
        return record.key() == null ? "(no key)" : record.key();
    }

    private record Decoded(String runId, LedgerEvent event, String hash, String error) {
    }
}
