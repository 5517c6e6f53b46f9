package dev.tollgate.events.dlq;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters from a Streams <em>global</em> thread (the global stores of identities, policies, kill switches).
 * Kafka Streams 4.3 can only take dead-letter records from a handler on a stream thread: on the global thread it
 * casts the global context to a record-collector supplier, fails, and the whole client shuts down — so one bad
 * record on the identities topic would stop the policy-processor. On the global thread the handlers therefore
 * write the dead letter themselves, through a producer of their own built from the app's client settings, and wait
 * for the broker's acknowledgement before skipping the record. The global thread is not exactly-once anyway
 * (it restores from its checkpoint), so after a crash a dead letter may be written twice, never lost.
 */
final class GlobalDeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalDeadLetters.class);

    /** The task id Kafka Streams gives the global thread's context. */
    static final TaskId GLOBAL_TASK = new TaskId(-1, -1);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> producerConfig;

    GlobalDeadLetters(Map<String, ?> streamsConfigs) {
        this.producerConfig = producerConfig(streamsConfigs);
    }

    static boolean isGlobal(TaskId taskId) {
        return taskId == null || GLOBAL_TASK.equals(taskId);
    }

    /**
     * Writes a dead letter from the global thread; true once the broker has it, false (logged) when it cannot be
     * written, in which case the handler fails rather than drop the record.
     */
    boolean write(ProducerRecord<byte[], byte[]> deadLetter, String topic, int partition, long offset) {
        try {
            send(deadLetter);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("Cannot dead-letter the record from {}-{}@{}; failing rather than dropping it", topic,
                    partition, offset, e);
            return false;
        }
    }

    /**
     * Writes the dead letter and waits for the acknowledgement; throws when it cannot be written. A producer is
     * opened and closed per dead letter: handlers have no close hook, and a poison pill on a global topic is rare.
     */
    synchronized void send(ProducerRecord<byte[], byte[]> deadLetter) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(deadLetter).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The app's client settings that a producer understands (plain and {@code producer.}-prefixed ones). */
    static Map<String, Object> producerConfig(Map<String, ?> streamsConfigs) {
        Map<String, Object> config = new HashMap<>();
        streamsConfigs.forEach((key, value) -> {
            if (ProducerConfig.configNames().contains(key) && value != null) {
                config.put(key, value);
            }
        });
        streamsConfigs.forEach((key, value) -> {
            String producerPrefix = StreamsConfig.PRODUCER_PREFIX;
            if (key.startsWith(producerPrefix) && value != null) {
                config.put(key.substring(producerPrefix.length()), value);
            }
        });
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Object appId = streamsConfigs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, (appId == null ? "tollgate" : appId) + "-global-dlq");
        return config;
    }
}
