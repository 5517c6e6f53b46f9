package dev.tollgate.events;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One Kafka topic of the Tollgate contract: its name, key and value types, partition count, retention or
 * cleanup policy, and the module that owns (writes) it. Exactly one {@code TopicSpec} exists per topic, in
 * {@link Topics}; serdes are built per application from this spec (see {@code dev.tollgate.events.serde}).
 *
 * @param name        the topic name, {@code tollgate.<stream>.v<major>}
 * @param keyType     the key's Java type (keys are UTF-8 strings on every Tollgate topic)
 * @param valueType   the value's Java type: a generated Avro class, or {@code byte[]} for raw topics
 * @param partitions  partition count used when the topic is created
 * @param configs     topic-level configs (retention, cleanup policy)
 * @param owner       the module that writes the topic
 * @param description what the topic holds
 */
public record TopicSpec<K, V>(
        String name,
        Class<K> keyType,
        Class<V> valueType,
        int partitions,
        Map<String, String> configs,
        String owner,
        String description) {

    /** The topic config that says which clock a record's timestamp comes from. */
    public static final String TIMESTAMP_TYPE = "message.timestamp.type";
    /** Record timestamps set by the broker on arrival: what time retention of operational topics counts from. */
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** The Schema Registry subject of the value, {@code <topic>-value} (Confluent's TopicNameStrategy). */
    public String valueSubject() {
        return name + "-value";
    }

    /** Whether the value is an Avro record written in Confluent's wire format. */
    public boolean isAvro() {
        return org.apache.avro.specific.SpecificRecord.class.isAssignableFrom(valueType);
    }

    /**
     * Time retention counted from each record's arrival at the broker ({@code LogAppendTime}), never from the
     * event time a producer stamped on it. A command issued with a skewed clock, an approval decided on an old held
     * call or a replayed batch carries an old event time; with {@code CreateTime} the broker would delete it (whole
     * segments whose newest timestamp is older than the retention) before its consumer saw it. Event times stay in
     * the Avro payloads ({@code issuedAt}, {@code occurredAt}), which is where every decision reads time from.
     */
    static Map<String, String> retention(Duration retention) {
        return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()),
                TIMESTAMP_TYPE, LOG_APPEND_TIME);
    }

    static Map<String, String> forever() {
        return Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");
    }

    static Map<String, String> compacted() {
        return Map.of("cleanup.policy", "compact");
    }
}
