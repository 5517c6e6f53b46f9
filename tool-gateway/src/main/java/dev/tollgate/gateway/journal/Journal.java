package dev.tollgate.gateway.journal;

import dev.tollgate.gateway.GatewayTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's view of {@code tollgate.gateway-journal.v1}: which calls started and which finished. A dedicated
 * thread reads every partition from the beginning ({@code read_committed}, no consumer group) into memory; the
 * gateway also records its own markers here as soon as their transaction commits. Before it processes the dispatch
 * records of a partition, the gateway waits until the journal has caught up with what was committed at that moment
 * ({@link #awaitCaughtUp}), so it sees every marker a crashed predecessor committed.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, JournalEntry> entries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> catchUpRequests = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /** A journal reader of the cluster at {@code bootstrapServers}, not started yet. */
    public Journal(String bootstrapServers, String clientId) {
        this(bootstrapServers, Map.of(), clientId);
    }

    /** As {@link #Journal(String, String)}, its consumer also getting {@code clientConfig} (e.g. SASL settings). */
    public Journal(String bootstrapServers, Map<String, String> clientConfig, String clientId) {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "tollgate-gateway-journal");
        this.thread.setDaemon(true);
    }

    /** Starts reading and returns once the journal has caught up with its end (or throws). */
    public void start(Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(GatewayTopics.JOURNAL.name(), timeout).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
        awaitCaughtUp(timeout);
        LOG.info("gateway journal loaded: {} calls", entries.size());
    }

    /** Waits until every marker committed before this call is in memory. */
    public void awaitCaughtUp(Duration timeout) {
        CompletableFuture<Void> request = new CompletableFuture<>();
        catchUpRequests.add(request);
        consumer.wakeup();
        try {
            request.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the gateway journal", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot load the gateway journal in " + timeout, e);
        }
    }

    /** The latest marker of a call, if any. */
    public Optional<JournalEntry> lookup(String runId, String callId) {
        return Optional.ofNullable(entries.get(JournalEntry.key(runId, callId)));
    }

    /** Records a marker this gateway committed (or is committing in the transaction of its result). */
    public void record(JournalEntry entry) {
        entries.merge(entry.key(), entry, JournalEntry::merge);
    }

    /**
     * Undoes a FINISHED marker recorded locally whose transaction will not happen: back to STARTED when that was
     * committed, else to nothing.
     */
    public void revert(JournalEntry finished, boolean startCommitted) {
        if (startCommitted) {
            entries.put(finished.key(), new JournalEntry(JournalEntry.State.STARTED, finished.runId(),
                    finished.callId(), finished.tool(), finished.argsSha256(), finished.startedAt(),
                    finished.gatewayId()));
        } else {
            entries.remove(finished.key());
        }
    }

    public int size() {
        return entries.size();
    }

    private void run() {
        Map<TopicPartition, Long> targets = null;
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        try {
            while (running) {
                try {
                    if (!catchUpRequests.isEmpty()) {
                        for (CompletableFuture<Void> r; (r = catchUpRequests.poll()) != null; ) {
                            waiting.add(r);
                        }
                        targets = null; // newer requests need the end offsets of now
                    }
                    if (!waiting.isEmpty() && targets == null) {
                        try {
                            targets = new HashMap<>(consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5)));
                        } catch (org.apache.kafka.common.errors.TimeoutException e) {
                            LOG.info("journal end offsets not available yet ({}), retrying", e.getMessage());
                        }
                    }
                    if (targets != null && caughtUp(targets)) {
                        waiting.forEach(w -> w.complete(null));
                        waiting.clear();
                        targets = null;
                    }
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        apply(record);
                    }
                } catch (WakeupException e) {
                    // A catch-up request or close interrupted a blocking call: loop around and redo it.
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("gateway journal reader failed", e);
            waiting.forEach(w -> w.completeExceptionally(e));
            catchUpRequests.forEach(w -> w.completeExceptionally(e));
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            entries.remove(record.key());
            return;
        }
        try {
            record(JournalEntry.fromBytes(record.value()));
        } catch (RuntimeException e) {
            LOG.error("unreadable journal marker at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> targets) {
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            if (consumer.position(target.getKey()) < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the reader thread is alive and has not failed. */
    public boolean healthy() {
        return failure == null && thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
