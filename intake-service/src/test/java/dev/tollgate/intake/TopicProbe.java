package dev.tollgate.intake;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/** Reads and writes Tollgate topics in integration tests, with the same serdes the services use. */
final class TopicProbe implements AutoCloseable {

    /** A record as read: key, value and offset. */
    record Read<V>(String key, V value, long offset) {
    }

    private final EmbeddedKafka kafka;
    private final TollgateSerdes serdes;
    private final KafkaProducer<byte[], byte[]> producer;

    TopicProbe(EmbeddedKafka kafka, TollgateSerdes serdes) {
        this.kafka = kafka;
        this.serdes = serdes;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writes a record and waits for its acknowledgement. */
    <V> void produce(TopicSpec<String, V> topic, String key, V value) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                    serdes.value(topic).serializer().serialize(topic.name(), value))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic.name(), e);
        }
    }

    /** Reads the whole topic until at least {@code count} values match, and returns the matching ones. */
    <V> List<Read<V>> await(TopicSpec<String, V> topic, Predicate<V> match, int count) {
        List<Read<V>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    V value = serdes.value(topic).deserializer().deserialize(topic.name(), record.value());
                    if (value != null && match.test(value)) {
                        found.add(new Read<>(new String(record.key(), StandardCharsets.UTF_8), value,
                                record.offset()));
                    }
                }
                return found.size() >= count;
            });
        }
        return found;
    }

    @Override
    public void close() {
        producer.close();
    }
}
