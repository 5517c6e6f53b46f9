package dev.tollgate.intake.kafka;

import dev.tollgate.events.Command;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one record at a time and waits for the broker's acknowledgement, so a caller that gets a
 * {@link RecordMetadata} back knows the record is durable, and one that gets {@link ErrorCode#UNAVAILABLE} knows it
 * was not written (the wait outlasts the producer's own delivery timeout, after which the producer gives the record
 * up). Every request of the API writes exactly one record, so nothing can be half-written. Writes
 * {@code tollgate.commands.v1}, {@code tollgate.identities.v1}, {@code tollgate.policies.v1},
 * {@code tollgate.kill-switches.v1} and {@code tollgate.dlq.v1}.
 */
public final class Publisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final int RETRY_AFTER_SECONDS = 5;

    private final Producer<byte[], byte[]> producer;
    private final TollgateSerdes serdes;
    private final Duration wait;
    private final KeyRing commandKeys;

    public Publisher(Map<String, Object> producerProps, TollgateSerdes serdes) {
        this(producerProps, serdes, KeyRing.random());
    }

    /** A publisher whose commands are signed with {@code commandKeys} (see {@link #commandKeys()}). */
    public Publisher(Map<String, Object> producerProps, TollgateSerdes serdes, KeyRing commandKeys) {
        this.commandKeys = commandKeys;
        this.producer = new KafkaProducer<>(producerProps);
        this.serdes = serdes;
        long delivery = Long.parseLong(String.valueOf(producerProps.getOrDefault("delivery.timeout.ms", 120_000)));
        long block = Long.parseLong(String.valueOf(producerProps.getOrDefault("max.block.ms", 60_000)));
        this.wait = Duration.ofMillis(delivery + block + 2000);
    }

    public Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** The intake service keys: commands are signed with them on behalf of the authenticated principal. */
    public KeyRing commandKeys() {
        return commandKeys;
    }

    public TollgateSerdes serdes() {
        return serdes;
    }

    /** Writes {@code value} under {@code key} and waits for the acknowledgement; 503 when Kafka cannot take it. */
    public <V> RecordMetadata publish(TopicSpec<String, V> topic, String key, V value) {
        return publish(topic, key, value, null);
    }

    /** As above, with a W3C {@code traceparent} record header when {@code traceparent} is not null. */
    public <V> RecordMetadata publish(TopicSpec<String, V> topic, String key, V value, String traceparent) {
        if (value instanceof Command command && command.getProof() == null) {
            // Every command intake writes carries intake's proof for the principal it authenticated.
            Proofs.signHmac(command, commandKeys, "intake");
        }
        byte[] valueBytes;
        try {
            valueBytes = serdes.value(topic).serializer().serialize(topic.name(), value);
        } catch (RuntimeException e) {
            LOG.warn("cannot serialize a record for {}: {}", topic.name(), e.toString());
            throw ApiException.retryLater(ErrorCode.UNAVAILABLE,
                    "the schema registry is unavailable; nothing was written", RETRY_AFTER_SECONDS);
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic.name(),
                key.getBytes(StandardCharsets.UTF_8), valueBytes);
        if (traceparent != null) {
            record.headers().add(Tracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return send(record);
    }

    /** Sends a raw record (e.g. a dead letter) and waits for its acknowledgement. */
    public RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(record.topic(), e);
        } catch (ExecutionException e) {
            throw unavailable(record.topic(), e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            throw unavailable(record.topic(), e);
        }
    }

    private static ApiException unavailable(String topic, Throwable cause) {
        LOG.warn("cannot write to {}: {}", topic, String.valueOf(cause));
        return ApiException.retryLater(ErrorCode.UNAVAILABLE, "Kafka is unavailable; nothing was written",
                RETRY_AFTER_SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
