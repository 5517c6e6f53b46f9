package dev.tollgate.events.hash;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.serde.AvroBinary;
import dev.tollgate.events.serde.WireFormat;

/**
 * The ledger's hash chain (DESIGN.md): an event's hash is the SHA-256 of its Avro binary body, without any
 * wire-format header; the next event of the same run carries it as {@code prevHash}; a run's first event
 * carries {@link #GENESIS}. The ledger record also carries its hash in the {@value #HEADER} header. Anyone can
 * verify a run from the raw topic bytes alone with {@link #ofRecordValue(byte[])}.
 */
public final class LedgerHash {

    /** {@code prevHash} of a run's first event: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    /** Record header that carries the event's own hash. */
    public static final String HEADER = "tollgate-hash";

    private LedgerHash() {
    }

    /** Hash of an event, computed over the Avro binary body that the serde writes for it. */
    public static String of(LedgerEvent event) {
        return Sha256.hex(AvroBinary.encode(event));
    }

    /** Hash of a raw ledger record value in Confluent's wire format: the body after the 5-byte header. */
    public static String ofRecordValue(byte[] wireBytes) {
        int offset = WireFormat.bodyOffset(wireBytes);
        return Sha256.hex(wireBytes, offset, wireBytes.length - offset);
    }
}
