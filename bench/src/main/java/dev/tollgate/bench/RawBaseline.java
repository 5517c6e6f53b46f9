package dev.tollgate.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Baseline 1: the cost of Kafka alone. An idempotent producer (acks=all) writes records of the governed command's
 * size; a read_committed consumer reads them back. Nothing between. Topic {@value #TOPIC}.
 */
final class RawBaseline {

    static final String TOPIC = "tollgate-bench.raw.v1";

    private RawBaseline() {
    }

    static BenchResult run(BenchSettings settings, String bootstrap, double rate, int recordBytes)
            throws InterruptedException {
        createTopic(bootstrap, TOPIC, settings.partitions());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(producerProps(bootstrap, settings.lingerMs()));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap))) {
            return FixedRateRun.run("baseline-raw", rate, settings.warmup(), settings.duration(), settings.drain(),
                    new SequencedRecords(producer, TOPIC, settings.partitions(), recordBytes), consumer, TOPIC);
        }
    }

    static Properties producerProps(String bootstrap, int lingerMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    static Properties consumerProps(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    static void createTopic(String bootstrap, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + topic, e);
        }
    }

    /** Records whose value starts with the operation number, padded to a size; keys spread over 1,000 runs. */
    static final class SequencedRecords implements Load {
        private final Producer<String, byte[]> producer;
        private final String topic;
        private final int partitions;
        private final int recordBytes;

        SequencedRecords(Producer<String, byte[]> producer, String topic, int partitions, int recordBytes) {
            this.producer = producer;
            this.topic = topic;
            this.partitions = partitions;
            this.recordBytes = Math.max(8, recordBytes);
        }

        @Override
        public void send(int n) {
            byte[] value = ByteBuffer.allocate(recordBytes).putLong(n).array();
            producer.send(new ProducerRecord<>(topic, n % partitions, "k" + (n % 1000), value));
        }

        @Override
        public int answered(ConsumerRecord<String, byte[]> record) {
            return record.value() == null || record.value().length < 8 ? -1
                    : (int) ByteBuffer.wrap(record.value(), 0, 8).getLong();
        }

        @Override
        public void flush() {
            producer.flush();
        }
    }
}
