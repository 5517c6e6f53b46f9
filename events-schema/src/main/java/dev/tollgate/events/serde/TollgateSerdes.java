package dev.tollgate.events.serde;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.registry.SchemaRegistryClient;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The serdes of one application, built from its schema registry client. Nothing here is static: each app (and
 * each test) builds its own, so two apps in one JVM never share registry state by accident.
 */
public final class TollgateSerdes {

    private final SchemaRegistryClient registry;
    private final Map<Class<?>, AvroSerde<?>> avro = new ConcurrentHashMap<>();

    public TollgateSerdes(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /** Keys are UTF-8 strings on every topic. */
    public Serde<String> key() {
        return Serdes.String();
    }

    @SuppressWarnings("unchecked")
    public <V> Serde<V> value(TopicSpec<?, V> topic) {
        if (topic.valueType() == byte[].class) {
            return (Serde<V>) Serdes.ByteArray();
        }
        return (Serde<V>) avro(topic.valueType().asSubclass(SpecificRecord.class));
    }

    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> AvroSerde<V> avro(Class<V> type) {
        return (AvroSerde<V>) avro.computeIfAbsent(type, t -> new AvroSerde<>(registry, type));
    }

    /** Registers the value subject of every Avro topic given, so ids exist before the first record. */
    public void registerAll(Collection<? extends TopicSpec<?, ?>> topics) {
        for (TopicSpec<?, ?> topic : topics) {
            if (topic.isAvro()) {
                avro(topic.valueType().asSubclass(SpecificRecord.class)).register(topic.name());
            }
        }
    }
}
