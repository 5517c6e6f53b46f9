package dev.tollgate.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Offers a {@link Load} at a fixed rate and measures, for each operation, the time until its answer is read back,
 * read_committed, from the output topic. The latency runs from the operation's intended send time (see
 * {@link Pacer}) to the answer's arrival. Operations sent during the warm-up are not measured; measured operations
 * unanswered when the drain deadline passes are reported as lost. A second mode, {@link #throughput}, sends as
 * fast as it can and counts answers per second.
 */
final class FixedRateRun {

    private static final Duration POLL = Duration.ofMillis(20);

    private FixedRateRun() {
    }

    static BenchResult run(String name, double rate, Duration warmup, Duration measure, Duration drain, Load load,
                           Consumer<String, byte[]> consumer, String outputTopic) throws InterruptedException {
        int warmupCount = (int) (rate * warmup.toMillis() / 1000);
        int total = warmupCount + Math.max(1, (int) (rate * measure.toMillis() / 1000));
        AtomicLongArray intended = new AtomicLongArray(total);
        Latencies latencies = new Latencies();
        AtomicLong firstMeasured = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong();
        Reader reader = new Reader(name, consumer, outputTopic, load, total, (n, now) -> {
            if (n >= warmupCount) {
                latencies.record(now - intended.get(n));
                lastArrival.set(now);
            }
        });
        reader.start();
        Pacer pacer = new Pacer(rate);
        for (int n = 0; n < total; n++) {
            long due = pacer.awaitNext();
            intended.set(n, due);
            if (n == warmupCount) {
                firstMeasured.set(due);
            }
            load.send(n);
        }
        load.flush();
        reader.finish(drain);
        double seconds = Math.max(1e-9, (lastArrival.get() - firstMeasured.get()) / 1e9);
        long lost = (total - warmupCount) - latencies.count();
        return BenchResult.of(name, rate, latencies, lost, latencies.count() / seconds);
    }

    /** Sends {@code count} operations back to back and measures answers per second between first and last. */
    static BenchResult throughput(String name, int count, Duration drain, Load load,
                                  Consumer<String, byte[]> consumer, String outputTopic) throws InterruptedException {
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        Reader reader = new Reader(name, consumer, outputTopic, load, count, (n, now) -> {
            first.compareAndSet(0, now);
            last.set(now);
            answered.incrementAndGet();
        });
        reader.start();
        for (int n = 0; n < count; n++) {
            load.send(n);
        }
        load.flush();
        reader.finish(drain);
        double seconds = (last.get() - first.get()) / 1e9;
        double rate = answered.get() > 1 && seconds > 0 ? (answered.get() - 1) / seconds : Double.NaN;
        return BenchResult.throughput(name, answered.get(), count - answered.get(), rate);
    }

    /** Called with an answered operation and its arrival time (System.nanoTime()). */
    @FunctionalInterface
    private interface Arrival {
        void arrived(int n, long nanos);
    }

    /** Reads answers on its own thread until every operation is answered or it is told to stop. */
    private static final class Reader {
        private final Consumer<String, byte[]> consumer;
        private final Load load;
        private final int total;
        private final Arrival arrival;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong received = new AtomicLong();
        private final Thread thread;
        private volatile RuntimeException failure;

        Reader(String name, Consumer<String, byte[]> consumer, String topic, Load load, int total, Arrival arrival) {
            this.consumer = consumer;
            this.load = load;
            this.total = total;
            this.arrival = arrival;
            List<TopicPartition> assignment = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assignment);
            consumer.seekToEnd(assignment);
            assignment.forEach(consumer::position);
            this.thread = new Thread(this::read, name + "-reader");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void read() {
            boolean[] seen = new boolean[total];
            try {
                while (!stop.get() && received.get() < total) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        long now = System.nanoTime();
                        int n = load.answered(record);
                        if (n >= 0 && n < total && !seen[n]) {
                            seen[n] = true;
                            received.incrementAndGet();
                            arrival.arrived(n, now);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** Waits up to {@code drain} for the remaining answers, then stops reading. */
        void finish(Duration drain) throws InterruptedException {
            long deadline = System.nanoTime() + drain.toNanos();
            while (received.get() < total && thread.isAlive() && System.nanoTime() < deadline) {
                thread.join(20);
            }
            stop.set(true);
            thread.join(5_000);
            if (failure != null) {
                throw new IllegalStateException("reading answers failed: " + failure, failure);
            }
        }
    }
}
