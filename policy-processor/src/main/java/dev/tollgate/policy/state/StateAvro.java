package dev.tollgate.policy.state;

import dev.tollgate.events.serde.AvroTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary for {@link RunState} in {@code run-state-store}, {@link CallState} in {@code run-call-store} and
 * {@link LimitUsage} on the limit topics
 * (no registry: the store and its changelog are
 * private to the policy-processor). Also trusts this package with Avro 1.12's class validator, which generated
 * builders consult even for default values; every path to a RunState goes through {@link #ensureTrusted()}.
 *
 * <p>Evolution: the writer schema is the reader schema. A field added with a default must first be deployed as a
 * reader before it is written; that is the same discipline as the topic schemas.
 */
public final class StateAvro {

    private static volatile boolean trusted;

    private StateAvro() {
    }

    public static void ensureTrusted() {
        if (trusted) {
            return;
        }
        synchronized (StateAvro.class) {
            if (!trusted) {
                AvroTrust.ensure();
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                        type -> type.getName().startsWith("dev.tollgate.policy.state.")));
                trusted = true;
            }
        }
    }

    /** The store serde of {@link RunState}. */
    public static Serde<RunState> runStateSerde() {
        return serde(RunState.class);
    }

    /** The store serde of {@link CallState} in {@code run-call-store}. */
    public static Serde<CallState> callStateSerde() {
        return serde(CallState.class);
    }

    /** The serde of {@link LimitUsage}: limit facts, totals and their store. */
    public static Serde<LimitUsage> limitUsageSerde() {
        return serde(LimitUsage.class);
    }

    private static <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        ensureTrusted();
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        Serializer<T> serializer = (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            try {
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        };
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                return reader.read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot read " + type.getSimpleName() + ": " + e, e);
            }
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer, deserializer);
    }
}
