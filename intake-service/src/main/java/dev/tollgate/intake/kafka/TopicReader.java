package dev.tollgate.intake.kafka;

import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.metrics.ServiceMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background thread that reads topics without a consumer group: every partition is assigned, each topic
 * starting at the beginning (to rebuild a view), at the end (to follow what happens from now on), or a bounded
 * number of records before the end (a recent window). It is caught up once it has reached the end offsets seen at
 * start. A record the handler cannot take is counted and sent
 * to {@code tollgate.dlq.v1}; reading goes on.
 */
public final class TopicReader implements AutoCloseable {

    /** Takes one record; may throw, the record then goes to the DLQ. */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecord<byte[], byte[]> record);
    }

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    /** Read from the beginning: a window as large as the topic. */
    public static final long WHOLE_TOPIC = Long.MAX_VALUE;

    private final Map<String, Long> window;
    private final Handler handler;
    private final Publisher dlq;
    private final Counter skipped;
    private final MeterRegistry meters;
    private final KafkaClientMetrics metrics;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile java.util.function.Consumer<Throwable> onFailure = e -> { };

    /**
     * @param fromBeginning topic name to true (read from the beginning) or false (from the end)
     * @param dlq           where records the handler refuses go; null to only count them
     */
    public TopicReader(String name, Map<String, Object> consumerProps, Map<String, Boolean> fromBeginning,
                       Handler handler, Publisher dlq, MeterRegistry meters) {
        this(name, consumerProps, handler, dlq, meters, windows(fromBeginning));
    }

    /**
     * A reader whose topics each start {@code window} records before the end of every partition
     * ({@link #WHOLE_TOPIC}: from the beginning; 0: from the end).
     *
     * @param dlq where records the handler refuses go; null to only count them
     */
    public static TopicReader withWindows(String name, Map<String, Object> consumerProps, Map<String, Long> window,
                                          Handler handler, Publisher dlq, MeterRegistry meters) {
        return new TopicReader(name, consumerProps, handler, dlq, meters, window);
    }

    private TopicReader(String name, Map<String, Object> consumerProps, Handler handler, Publisher dlq,
                        MeterRegistry meters, Map<String, Long> window) {
        this.name = name;
        this.consumer = new KafkaConsumer<>(consumerProps);
        this.window = Map.copyOf(window);
        this.handler = handler;
        this.dlq = dlq;
        this.skipped = Counter.builder("tollgate.intake.records.skipped").tag("reader", name)
                .description("Records a reader could not take; each went to the DLQ").register(meters);
        this.metrics = new KafkaClientMetrics(consumer);
        this.metrics.bindTo(meters);
        this.meters = meters;
        this.thread = new Thread(this::run, "tollgate-intake-" + name);
        this.thread.setDaemon(true);
    }

    private static Map<String, Long> windows(Map<String, Boolean> fromBeginning) {
        Map<String, Long> out = new HashMap<>();
        fromBeginning.forEach((topic, whole) -> out.put(topic, whole ? WHOLE_TOPIC : 0L));
        return out;
    }

    /** Called (once, on the reading thread) when the reader stops on an error rather than on close. */
    public TopicReader onFailure(java.util.function.Consumer<Throwable> listener) {
        this.onFailure = listener;
        return this;
    }

    public TopicReader start() {
        thread.start();
        return this;
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Whether the reading thread still runs (it stops on close or on an unrecoverable error). */
    public boolean alive() {
        return thread.isAlive();
    }

    /** Waits until caught up; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            Map<TopicPartition, Long> ends = assign();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record);
                }
                if (!caughtUp() && ends.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    LOG.info("reader {} caught up", name);
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("reader {} woken up unexpectedly", name, e);
                onFailure.accept(e);
            }
        } catch (RuntimeException e) {
            LOG.error("reader {} stopped", name, e);
            onFailure.accept(e);
        } finally {
            metrics.close();
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private Map<TopicPartition, Long> assign() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : window.keySet()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            while (running && (infos == null || infos.isEmpty())) {
                LOG.info("reader {} waits for topic {}", name, topic);
                consumer.poll(Duration.ofMillis(500));
                infos = consumer.partitionsFor(topic);
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions).entrySet()) {
            long back = window.get(end.getKey().topic());
            long begin = beginnings.getOrDefault(end.getKey(), 0L);
            // The cost of a start is the window, never the topic's history (unless the window is the whole topic).
            long start = back == WHOLE_TOPIC ? begin : Math.max(begin, end.getValue() - back);
            consumer.seek(end.getKey(), start);
            if (back > 0) {
                ends.put(end.getKey(), end.getValue());
            }
        }
        return ends;
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        try {
            handler.handle(record);
        } catch (RuntimeException e) {
            skipped.increment();
            LOG.warn("reader {} skipped {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(),
                    e.toString());
            if (dlq != null) {
                try {
                    dlq.producer().send(DeadLetters.record("tollgate-intake-service",
                            "processing", record.topic(), record.partition(), record.offset(), record.key(),
                            record.value(), record.headers(), e));
                    ServiceMeters.deadLetter(meters, record.topic(), "processing");
                } catch (RuntimeException dlqError) {
                    LOG.warn("reader {} cannot write the DLQ: {}", name, dlqError.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
