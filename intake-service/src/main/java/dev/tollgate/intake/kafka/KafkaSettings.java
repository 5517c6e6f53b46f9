package dev.tollgate.intake.kafka;

import dev.tollgate.intake.IntakeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka client properties of the intake-service, built from its config. */
public final class KafkaSettings {

    private KafkaSettings() {
    }

    /**
     * An idempotent producer with {@code acks=all}: when a send is acknowledged the record is on every in-sync
     * replica, so a 202 means the command is durable. {@code delivery.timeout.ms} bounds how long a request may wait
     * before it answers 503; after it the producer has given the record up for good.
     */
    public static Map<String, Object> producer(String bootstrapServers, long deliveryTimeoutMs, String clientId,
                                               Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Every request waits for its record's acknowledgement, so a send does not linger; batches still form while
        // earlier sends are in flight.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeoutMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, deliveryTimeoutMs / 2 - 10));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeoutMs);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putAll(overrides);
        return props;
    }

    public static Map<String, Object> producer(IntakeConfig config, String clientId) {
        return producer(config.bootstrapServers(), config.getLong(IntakeConfig.PRODUCE_TIMEOUT_MS), clientId,
                config.kafkaOverrides());
    }

    /** A group-less consumer (partitions are assigned, never subscribed) that sees committed records only. */
    public static Map<String, Object> consumer(String bootstrapServers, String clientId,
                                               Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.putAll(overrides);
        return props;
    }
}
