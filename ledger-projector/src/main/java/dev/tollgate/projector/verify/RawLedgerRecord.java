package dev.tollgate.projector.verify;

import dev.tollgate.events.hash.LedgerHash;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A ledger record exactly as it is on the topic: key, value bytes, the {@code tollgate-hash} header and where it
 * was read. Verification and replay work from these, never from a projection.
 *
 * @param headerHash the {@code tollgate-hash} header as text, or {@code null} when absent
 */
public record RawLedgerRecord(String key, byte[] value, String headerHash, int partition, long offset,
                              long timestamp) {

    /** The raw record of a consumed ledger record (read with {@code ByteArrayDeserializer}). */
    public static RawLedgerRecord of(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(LedgerHash.HEADER);
        return new RawLedgerRecord(
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                record.value(),
                header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8),
                record.partition(), record.offset(), record.timestamp());
    }
}
