package dev.tollgate.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Offers records to an input topic at a fixed rate and measures, for each, the time until it (or what the system
 * under test made of it) is read back, read_committed, from an output topic. Each record's value starts with its
 * sequence number; the latency runs from the record's intended send time (see {@link Pacer}) to its arrival.
 * Records sent during the warm-up are not measured.
 */
final class FixedRateRun {

    private FixedRateRun() {
    }

    static BenchResult run(String name, double rate, Duration warmup, Duration measure, int recordBytes,
                           Producer<String, byte[]> producer, String inputTopic, int partitions,
                           Consumer<String, byte[]> consumer, String outputTopic) throws InterruptedException {
        int warmupCount = (int) (rate * warmup.toMillis() / 1000);
        int total = warmupCount + (int) (rate * measure.toMillis() / 1000);
        long[] intended = new long[total];
        Latencies latencies = new Latencies();
        AtomicLong lastArrival = new AtomicLong();
        AtomicLong firstMeasured = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();

        List<TopicPartition> assignment = consumer.partitionsFor(outputTopic).stream()
                .map(p -> new TopicPartition(outputTopic, p.partition())).toList();
        consumer.assign(assignment);
        consumer.seekToEnd(assignment);
        assignment.forEach(consumer::position);

        AtomicLong received = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!stop.get() && received.get() < total) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    int seq = (int) ByteBuffer.wrap(record.value(), 0, 8).getLong();
                    if (seq >= 0 && seq < total) {
                        received.incrementAndGet();
                        if (seq >= warmupCount) {
                            latencies.record(now - intended[seq]);
                            lastArrival.set(now);
                        }
                    }
                }
            }
        }, name + "-reader");
        reader.setDaemon(true);
        reader.start();

        Pacer pacer = new Pacer(rate);
        for (int seq = 0; seq < total; seq++) {
            long due = pacer.awaitNext();
            intended[seq] = due;
            if (seq == warmupCount) {
                firstMeasured.set(due);
            }
            byte[] value = ByteBuffer.allocate(Math.max(8, recordBytes)).putLong(seq).array();
            producer.send(new ProducerRecord<>(inputTopic, seq % partitions, "k" + (seq % 1000), value));
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (received.get() < total && System.nanoTime() < deadline) {
            reader.join(50);
        }
        stop.set(true);
        reader.join(2000);
        double seconds = Math.max(1e-9, (lastArrival.get() - firstMeasured.get()) / 1e9);
        return BenchResult.of(name, rate, latencies, latencies.count() / seconds);
    }
}
