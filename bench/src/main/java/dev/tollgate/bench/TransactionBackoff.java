package dev.tollgate.bench;

import dev.tollgate.events.config.TransactionTuning;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code txn} section: what one transaction costs when the next begins as soon as the last committed, as the
 * gateway's loop does under load. Each transaction carries what a gateway transaction carries: a result record, a
 * journal record (two topics) and consumer offsets. Measured with the producer's default {@code retry.backoff.ms}
 * (100) and with {@link TransactionTuning#RETRY_BACKOFF_MS}, one producer after the other on the same broker; the
 * coordinator refuses a transaction's first requests while it still completes the last commit
 * ({@code CONCURRENT_TRANSACTIONS}), and the producer waits its backoff before it asks again.
 */
final class TransactionBackoff {

    private static final String RESULTS = "tollgate-bench-txn-results";
    private static final String JOURNAL = "tollgate-bench-txn-journal";
    private static final int PARTITIONS = 6;
    private static final int WARMUP = 100;
    private static final int TRANSACTIONS = 400;

    private TransactionBackoff() {
    }

    static Map<String, Object> measure(String bootstrap, PrintWriter out) {
        RawBaseline.createTopic(bootstrap, RESULTS, PARTITIONS);
        RawBaseline.createTopic(bootstrap, JOURNAL, PARTITIONS);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("transactions", TRANSACTIONS);
        report.put("recordsPerTransaction", 2);
        for (String backoff : List.of("100", TransactionTuning.RETRY_BACKOFF_MS)) {
            Latencies latencies = backToBack(bootstrap, backoff);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("p50Ms", latencies.percentileMillis(50));
            row.put("p90Ms", latencies.percentileMillis(90));
            row.put("p99Ms", latencies.percentileMillis(99));
            row.put("maxMs", latencies.maxMillis());
            report.put("retryBackoffMs" + backoff, row);
            out.printf("    retry.backoff.ms %3s: transaction p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f ms (%d)%n",
                    backoff, latencies.percentileMillis(50), latencies.percentileMillis(90),
                    latencies.percentileMillis(99), latencies.maxMillis(), TRANSACTIONS);
            out.flush();
        }
        return report;
    }

    private static Latencies backToBack(String bootstrap, String backoff) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tollgate-bench-txn-" + backoff + "-" + System.nanoTime());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, backoff);
        ConsumerGroupMetadata group = new ConsumerGroupMetadata("tollgate-bench-txn-" + backoff);
        byte[] value = new byte[300];
        Latencies latencies = new Latencies();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            for (int i = 0; i < WARMUP + TRANSACTIONS; i++) {
                int partition = i % PARTITIONS;
                byte[] key = ("run-" + partition).getBytes();
                long start = System.nanoTime();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(RESULTS, partition, key, value));
                producer.send(new ProducerRecord<>(JOURNAL, partition, key, value));
                producer.sendOffsetsToTransaction(
                        Map.of(new TopicPartition(RESULTS, partition), new OffsetAndMetadata(i + 1)), group);
                producer.commitTransaction();
                if (i >= WARMUP) {
                    latencies.record(System.nanoTime() - start);
                }
            }
        }
        return latencies;
    }
}
