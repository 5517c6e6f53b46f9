package dev.tollgate.events.serde;

import dev.tollgate.events.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for a generated Avro class in Confluent's wire format, byte-identical to Confluent's
 * KafkaAvroSerializer with {@code specific.avro.reader=true} and the default TopicNameStrategy: the subject is
 * {@code <topic>-value}, registered on first use and cached. Reading resolves the writer schema by id, so a
 * record written with an older compatible schema reads into the current class.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SchemaRegistryClient registry;
    private final Class<T> type;
    private final Schema schema;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    public AvroSerde(SchemaRegistryClient registry, Class<T> type) {
        AvroTrust.ensure();
        this.registry = registry;
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
    }

    public Class<T> type() {
        return type;
    }

    /** Registers the value subject for {@code topic} now (services do this at startup) and returns the id. */
    public int register(String topic) {
        return idsByTopic.computeIfAbsent(topic, t -> registry.register(t + "-value", schema));
    }

    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int id = register(topic);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            AvroBinary.write(data, out);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot serialize " + type.getSimpleName() + " for " + topic + ": " + e,
                    e);
        }
        return out.toByteArray();
    }

    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            int id = WireFormat.schemaId(bytes);
            Schema writer = registry.schemaById(id);
            return AvroBinary.decode(bytes, WireFormat.HEADER_SIZE, bytes.length - WireFormat.HEADER_SIZE, writer,
                    type);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot deserialize " + type.getSimpleName() + " from " + topic + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }
}
