package dev.tollgate.events.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte 0, the 4-byte big-endian schema id, then the Avro binary body. Confluent's
 * clients (KafkaAvroDeserializer, confluent-kafka for Python and Go, Connect's AvroConverter) read it unchanged.
 */
public final class WireFormat {

    public static final byte MAGIC = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Offset of the Avro body; throws {@link IllegalArgumentException} when the header is missing or wrong. */
    public static int bodyOffset(byte[] wireBytes) {
        schemaId(wireBytes);
        return HEADER_SIZE;
    }

    public static int schemaId(byte[] wireBytes) {
        if (wireBytes == null || wireBytes.length < HEADER_SIZE) {
            throw new IllegalArgumentException("not Confluent wire format: "
                    + (wireBytes == null ? "null" : wireBytes.length + " bytes") + " is shorter than the 5-byte header");
        }
        if (wireBytes[0] != MAGIC) {
            throw new IllegalArgumentException("not Confluent wire format: magic byte is " + wireBytes[0] + ", not 0");
        }
        return ByteBuffer.wrap(wireBytes, 1, 4).getInt();
    }

    public static byte[] frame(int schemaId, byte[] body) {
        return ByteBuffer.allocate(HEADER_SIZE + body.length).put(MAGIC).putInt(schemaId).put(body).array();
    }
}
