package dev.tollgate.projector.verify;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads topics as raw bytes ({@code ByteArrayDeserializer}, {@code read_committed}, no consumer group): the ledger
 * for verification, replay and tail, and the gateway keys for receipt signatures. A bounded read stops at the end
 * offsets taken when it starts, fetching on a thread of its own while the caller's sink runs. Not thread-safe; one per
 * use.
 */
public final class LedgerReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    /** Fetched batches waiting for the sink: bounds the memory a read holds ahead of its sink. */
    private static final int BATCHES_AHEAD = 4;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    /** A reader of the cluster at {@code bootstrapServers}; {@code timeout} bounds each bounded read. */
    public LedgerReader(String bootstrapServers, Duration timeout) {
        this(bootstrapServers, Map.of(), timeout);
    }

    /**
     * A reader of the cluster at {@code bootstrapServers} whose consumer also gets {@code clientConfig} (for example
     * SASL settings); {@code timeout} bounds each bounded read.
     */
    public LedgerReader(String bootstrapServers, Map<String, ?> clientConfig, Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-ledger-reader");
        // Bulk reads (replay, verify, tail from the beginning): few, large fetches. A partition's fetch holds up to
        // 8 MiB (about 40,000 ledger events), a poll hands over up to 10,000 records.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, Integer.toString(1024 * 1024));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /** The partition of a run: Kafka's default partitioner over the UTF-8 runId key. */
    public static int partitionOf(String runId, int partitions) {
        return Utils.toPositive(Utils.murmur2(runId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The ledger's partitions, as on the cluster; empty when the topic does not exist yet. */
    public List<TopicPartition> ledgerPartitions() {
        return partitions(Topics.LEDGER.name());
    }

    /** The ledger partition that holds {@code runId}. */
    public Optional<TopicPartition> partitionOfRun(String runId) {
        List<TopicPartition> all = ledgerPartitions();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TopicPartition(Topics.LEDGER.name(), partitionOf(runId, all.size())));
    }

    /** Every ledger record of the partition that holds {@code runId}, from the beginning. */
    public List<RawLedgerRecord> readRunPartition(String runId) {
        List<RawLedgerRecord> out = new ArrayList<>();
        partitionOfRun(runId).ifPresent(tp -> read(Map.of(tp, 0L), null, out::add));
        return out;
    }

    /**
     * The ledger records of one run's span, {@code [firstOffset, lastOffset]} of its partition (records of other runs
     * in between included; the verifier ignores them). The cost is the run's own span, not the partition's history.
     */
    public List<RawLedgerRecord> readSpan(RunSpan span) {
        List<RawLedgerRecord> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition(Topics.LEDGER.name(), span.partition());
        read(Map.of(tp, span.firstOffset()), Map.of(tp, span.lastOffset() + 1), null, out::add);
        return out;
    }

    /** Every ledger record from the beginning, partition by partition order within each partition. */
    public void readAll(Consumer<RawLedgerRecord> sink) {
        Map<TopicPartition, Long> from = new HashMap<>();
        ledgerPartitions().forEach(tp -> from.put(tp, 0L));
        read(from, null, sink);
    }

    /**
     * Reads from the given start offsets up to the end offsets as of now; with {@code until}, records with a
     * timestamp after it are not delivered.
     */
    public void read(Map<TopicPartition, Long> from, Instant until, Consumer<RawLedgerRecord> sink) {
        read(from, null, until, sink);
    }

    /**
     * Reads from the given start offsets up to {@code stopAt} (exclusive, per partition; {@code null}: the end
     * offsets as of now, which also bound {@code stopAt}).
     */
    private void read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> stopAt, Instant until,
                      Consumer<RawLedgerRecord> sink) {
        if (from.isEmpty()) {
            return;
        }
        consumer.assign(from.keySet());
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(from.keySet(), timeout));
        if (stopAt != null) {
            stopAt.forEach((tp, stop) -> end.merge(tp, stop, Math::min));
        }
        Map<TopicPartition, Long> remaining = new HashMap<>();
        from.forEach((tp, offset) -> {
            long start = Math.max(0, offset);
            consumer.seek(tp, start);
            if (end.getOrDefault(tp, 0L) > start) {
                remaining.put(tp, end.get(tp));
            }
        });
        consumer.pause(consumer.assignment().stream().filter(tp -> !remaining.containsKey(tp)).toList());
        // Fetching (network, decompression, record parsing) runs on a thread of its own and hands batches over, so
        // that it overlaps with what the sink does with them (decoding, hashing, folding) on this thread.
        BlockingQueue<List<RawLedgerRecord>> batches = new ArrayBlockingQueue<>(BATCHES_AHEAD);
        List<RawLedgerRecord> last = new ArrayList<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread fetcher = new Thread(() -> {
            try {
                fetch(remaining, until, batches, abandoned);
            } catch (RuntimeException e) {
                failure.set(e);
            } finally {
                handOver(batches, last, abandoned);
            }
        }, "tollgate-ledger-fetch");
        fetcher.setDaemon(true);
        fetcher.start();
        try {
            for (List<RawLedgerRecord> batch = take(batches); batch != last; batch = take(batches)) {
                batch.forEach(sink);
            }
        } finally {
            abandoned.set(true);
            batches.clear();
            joinQuietly(fetcher);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        consumer.unsubscribe();
    }

    /** The fetching thread's loop: polls until every partition reached its stop offset. */
    private void fetch(Map<TopicPartition, Long> remaining, Instant until, BlockingQueue<List<RawLedgerRecord>> batches,
                       AtomicBoolean abandoned) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!remaining.isEmpty() && !abandoned.get()) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading the ledger took longer than "
                        + timeout + "; still to read: " + remaining.keySet());
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            List<RawLedgerRecord> batch = new ArrayList<>(records.count());
            for (TopicPartition tp : records.partitions()) {
                Long stop = remaining.get(tp);
                if (stop == null) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (record.offset() < stop && (until == null || record.timestamp() <= until.toEpochMilli())) {
                        batch.add(RawLedgerRecord.of(record));
                    }
                }
            }
            if (!batch.isEmpty()) {
                handOver(batches, batch, abandoned);
            }
            for (TopicPartition tp : List.copyOf(remaining.keySet())) {
                if (consumer.position(tp) >= remaining.get(tp)) {
                    remaining.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
        }
    }

    private static void handOver(BlockingQueue<List<RawLedgerRecord>> batches, List<RawLedgerRecord> batch,
                                 AtomicBoolean abandoned) {
        try {
            while (!abandoned.get() && !batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                // the reading side is busy; it takes the next batch soon, or abandons the read
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<RawLedgerRecord> take(BlockingQueue<List<RawLedgerRecord>> batches) {
        try {
            return batches.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For each ledger partition, the first offset whose record timestamp is at or after {@code time}. */
    public Map<TopicPartition, Long> offsetsAt(Instant time) {
        List<TopicPartition> partitions = ledgerPartitions();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            out.put(tp, at == null ? end.get(tp) : at.offset());
        }
        return out;
    }

    /**
     * Follows the ledger from its end (or from the beginning), delivering records as they are committed, until
     * {@code stop} says so; it is checked after every poll.
     */
    public void follow(boolean fromBeginning, BooleanSupplier stop, Consumer<RawLedgerRecord> sink) {
        List<TopicPartition> partitions = ledgerPartitions();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }
        while (!stop.getAsBoolean()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                sink.accept(RawLedgerRecord.of(record));
                if (stop.getAsBoolean()) {
                    return;
                }
            }
        }
    }

    /** The gateway keys published on tollgate.gateway-keys.v1, by keyId (the last value of each key wins). */
    public Map<String, GatewayKey> gatewayKeys(Deserializer<GatewayKey> deserializer) {
        Map<TopicPartition, Long> from = new HashMap<>();
        partitions(Topics.GATEWAY_KEYS.name()).forEach(tp -> from.put(tp, 0L));
        Map<String, GatewayKey> keys = new HashMap<>();
        read(from, null, raw -> {
            if (raw.value() == null) {
                keys.remove(raw.key());
            } else {
                GatewayKey key = deserializer.deserialize(Topics.GATEWAY_KEYS.name(), raw.value());
                keys.put(key.getKeyId(), key);
            }
        });
        return keys;
    }

    private List<TopicPartition> partitions(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
