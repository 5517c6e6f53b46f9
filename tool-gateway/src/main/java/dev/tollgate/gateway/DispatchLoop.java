package dev.tollgate.gateway;

import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.logging.RunLogContext;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.gateway.journal.Journal;
import dev.tollgate.gateway.journal.JournalEntry;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's consume-run-produce loop. One thread owns the consumer of {@code tollgate.dispatch.v1}
 * ({@code read_committed}) and the transactional producer; tool calls run on the {@link RunScheduler} (in order
 * within a run, concurrently across runs) and hand their outcomes back through a queue.
 *
 * <p><b>Transactions.</b> Each turn of the loop commits one transaction holding: the journal {@code STARTED} markers
 * requested by non-idempotent calls (which wait for that commit before they run), the results of finished calls to
 * {@code tollgate.tool-results.v1} with their journal {@code FINISHED} markers, dead letters of unreadable records,
 * and the consumer offsets. Offsets advance per partition only over the contiguous prefix of finished records, so
 * a record whose call is still running (or was dropped) is consumed again after a crash; the journal then decides
 * whether it is skipped, reported {@code OUTCOME_UNKNOWN}, or (idempotent tools only) run again.
 *
 * <p><b>Back-pressure.</b> When {@code limits.maxInFlight} records are consumed but not finished, every partition is
 * paused until half of them are done.
 *
 * <p>Any error of the producer or the consumer is fatal: the loop stops without committing, and the records it had
 * not committed are processed again by the next owner of their partitions.
 */
final class DispatchLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchLoop.class);
    /** W3C trace context as a record header: read from the dispatch record, written on the result record. */
    static final String TRACEPARENT = "traceparent";
    private static final String APPLICATION = "tollgate-tool-gateway";
    /** The reason code of a dispatch refused for want of the processor's proof. */
    static final String UNAUTHENTICATED = "DISPATCH_UNAUTHENTICATED";

    /** The consumed, not yet committed offsets of one assigned partition. Loop thread only, except revoked. */
    private static final class Track {
        final TreeSet<Long> pending = new TreeSet<>();
        final TreeSet<Long> done = new TreeSet<>();
        int outstanding;
        volatile boolean revoked;
    }

    private record Completion(TopicPartition partition, Track track, long offset, CallProcessor.Outcome outcome,
                              String traceparent,
                              ProducerRecord<byte[], byte[]> deadLetter) {
    }

    private record StartRequest(Track track, JournalEntry marker, CompletableFuture<Boolean> done) {
    }

    private final GatewayConfig config;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Deserializer<ToolCallDispatch> dispatches;
    private final Serializer<ToolCallResult> results;
    private final CallProcessor processor;
    private final RunScheduler scheduler;
    private final Journal journal;

    private final LinkedBlockingDeque<Completion> completions = new LinkedBlockingDeque<>();
    private final LinkedBlockingDeque<StartRequest> startRequests = new LinkedBlockingDeque<>();
    private final Map<TopicPartition, Track> tracks = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong unauthenticated = new AtomicLong();
    private final KeyRing dispatchKeys;
    private final MeterRegistry meters;
    private final Tracing tracing;
    private boolean paused;
    private volatile boolean running = true;
    private volatile boolean polling;
    /** The loop is (about to be) blocked in a poll: a worker's {@link #signal()} wakes it. */
    private volatile boolean waiting;
    private volatile Throwable failure;

    DispatchLoop(GatewayConfig config, KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
                 Deserializer<ToolCallDispatch> dispatches, Serializer<ToolCallResult> results,
                 CallProcessor processor, RunScheduler scheduler, Journal journal, KeyRing dispatchKeys,
                 MeterRegistry meters, Tracing tracing) {
        this.meters = meters;
        this.tracing = tracing;
        this.config = config;
        this.dispatchKeys = dispatchKeys;
        this.consumer = consumer;
        this.producer = producer;
        this.dispatches = dispatches;
        this.results = results;
        this.processor = processor;
        this.scheduler = scheduler;
        this.journal = journal;
    }

    boolean healthy() {
        return polling && failure == null;
    }

    Throwable failure() {
        return failure;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Dispatches refused because they carried no valid proof of the policy-processor. */
    long unauthenticatedDispatches() {
        return unauthenticated.get();
    }

    /** How often the consumer was paused because too many calls were in flight. */
    long backPressurePauses() {
        return pauses.get();
    }

    /**
     * Records one poll may bring: a small share of the bound, so the bound is hardly overshot. The consumer resumes
     * once this many slots are free again; a margin rather than half the bound, so calls queued behind a slow call
     * of their run hold up consumption only when they alone fill (almost) all of it.
     */
    static int resumeMargin(GatewayConfig config) {
        return Math.max(1, Math.min(500, config.maxInFlight() / 4));
    }

    /** Asks the loop to stop; it finishes or drops its calls, commits what is done and returns. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.DISPATCH.name()), new Rebalance());
            while (running) {
                try {
                    Duration timeout = inFlight.get() > 0 ? Duration.ofMillis(10) : Duration.ofMillis(100);
                    // Set before the queues are looked at: a worker that queues after this sees it and wakes us.
                    waiting = true;
                    if (!startRequests.isEmpty() || !completions.isEmpty()) {
                        waiting = false;
                        timeout = Duration.ZERO;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
                    waiting = false;
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        accept(record);
                    }
                    polling = true;
                } catch (WakeupException e) {
                    waiting = false;
                    // A worker finished a call or asked for its STARTED marker (see signal()); stop() clears
                    // running. Either way, what is queued is committed now rather than after the next poll.
                    if (!running) {
                        continue;
                    }
                }
                flush();
                applyBackPressure();
            }
            drain(new ArrayList<>(tracks.keySet()), Duration.ofSeconds(30));
        } catch (Throwable t) {
            failure = t;
            LOG.error("tool-gateway dispatch loop failed; uncommitted calls will be processed again by the next owner",
                    t);
        } finally {
            polling = false;
            RuntimeException stopped = new IllegalStateException("the dispatch loop stopped");
            for (StartRequest r; (r = startRequests.poll()) != null; ) {
                r.done().completeExceptionally(stopped);
            }
            closeQuietly();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Track track = tracks.get(partition);
        if (track == null) {
            LOG.warn("record from unassigned partition {} ignored", partition);
            return;
        }
        track.pending.add(record.offset());
        track.outstanding++;
        inFlight.incrementAndGet();
        ToolCallDispatch dispatch;
        try {
            dispatch = dispatches.deserialize(record.topic(), record.value());
            if (dispatch == null) {
                throw new IllegalArgumentException("dispatch record without a value");
            }
        } catch (RuntimeException e) {
            LOG.warn("unreadable dispatch at {}@{} sent to the DLQ: {}", partition, record.offset(), e.toString());
            ServiceMeters.deadLetter(meters, record.topic(), "deserialization");
            completions.add(new Completion(partition, track, record.offset(), null, null,
                    DeadLetters.record(APPLICATION, "deserialization", record.topic(), record.partition(),
                            record.offset(), record.key(), record.value(), record.headers(), e)));
            return;
        }
        if (!Proofs.verifyHmac(dispatch, dispatchKeys)) {
            unauthenticated.incrementAndGet();
            LOG.warn("runId={} callId={}: dispatch at {}@{} has no valid proof of the policy-processor; nothing runs, "
                    + "to the DLQ", dispatch.getRunId(), dispatch.getCallId(), partition, record.offset());
            Headers headers = DeadLetters.headers(APPLICATION, "authentication", record.topic(), record.partition(),
                    record.offset(), record.headers(), UNAUTHENTICATED + ": the dispatch carries no valid proof of "
                            + "the policy-processor", UNAUTHENTICATED);
            headers.add(DeadLetters.REASON_CODE, UNAUTHENTICATED.getBytes(StandardCharsets.UTF_8));
            completions.add(new Completion(partition, track, record.offset(), null, null, new ProducerRecord<>(
                    Topics.DLQ.name(), null, record.key(), record.value(), headers)));
            return;
        }
        long offset = record.offset();
        // The trace the processor put on the dispatch record (else the dispatch's own field) goes on the result.
        Header traceHeader = record.headers().lastHeader(TRACEPARENT);
        String traceparent = traceHeader != null ? new String(traceHeader.value(), StandardCharsets.UTF_8)
                : dispatch.getTraceparent();
        scheduler.submit(dispatch.getRunId(), () -> {
            CallProcessor.Outcome outcome;
            try (RunLogContext ignored = RunLogContext.of(dispatch.getRunId(), traceparent);
                 Tracing.Step span = tracing.start("execute " + dispatch.getTool(), SpanKind.CONSUMER, traceparent)) {
                span.attribute("tollgate.run_id", dispatch.getRunId()).attribute("tollgate.tool", dispatch.getTool());
                outcome = track.revoked ? CallProcessor.Outcome.dropped()
                        : processor.process(dispatch, marker -> awaitStarted(track, marker), span.traceparent());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = CallProcessor.Outcome.dropped();
            } catch (RuntimeException e) {
                LOG.error("runId={} callId={}: unexpected error, call dropped (it stays uncommitted)",
                        dispatch.getRunId(), dispatch.getCallId(), e);
                outcome = CallProcessor.Outcome.dropped();
            }
            if (outcome.kind() == CallProcessor.Outcome.Kind.RESULT) {
                // Visible at once to a duplicate of this call queued behind it in the same run.
                journal.record(outcome.finished());
            }
            completions.add(new Completion(partition, track, offset, outcome, traceparent, null));
            signal();
        });
    }

    /**
     * Called on a worker thread after it queued a completion or a start request: wakes the loop out of its poll, so
     * the transaction that publishes the result (or commits the STARTED marker the worker waits for) begins at once
     * instead of when the poll times out. Only the loop thread touches the producer; the transactions, the journal
     * and the order STARTED-before-side-effect are unchanged.
     */
    private void signal() {
        if (waiting) {
            consumer.wakeup();
        }
    }

    /** Called on a worker thread: blocks until the STARTED marker is committed. */
    private boolean awaitStarted(Track track, JournalEntry marker) throws InterruptedException {
        StartRequest request = new StartRequest(track, marker, new CompletableFuture<>());
        startRequests.add(request);
        signal();
        try {
            return request.done().get();
        } catch (ExecutionException e) {
            return false;
        }
    }

    private void flush() {
        List<StartRequest> starts = new ArrayList<>();
        startRequests.drainTo(starts);
        List<Completion> done = new ArrayList<>();
        completions.drainTo(done);
        List<StartRequest> granted = new ArrayList<>();
        for (StartRequest start : starts) {
            if (start.track().revoked) {
                start.done().complete(false);
            } else {
                granted.add(start);
            }
        }
        if (granted.isEmpty() && done.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            for (StartRequest start : granted) {
                producer.send(journalRecord(start.marker()));
            }
            for (Completion c : done) {
                boolean current = tracks.get(c.partition()) == c.track();
                if (c.deadLetter() != null && current) {
                    producer.send(c.deadLetter());
                } else if (c.outcome() != null && c.outcome().kind() == CallProcessor.Outcome.Kind.RESULT
                        && current) {
                    ToolCallResult result = c.outcome().result();
                    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(Topics.TOOL_RESULTS.name(),
                            utf8(result.getRunId()), results.serialize(Topics.TOOL_RESULTS.name(), result));
                    if (c.traceparent() != null) {
                        out.headers().add(TRACEPARENT, utf8(c.traceparent()));
                    }
                    producer.send(out);
                    producer.send(journalRecord(c.outcome().finished()));
                } else if (c.outcome() != null && c.outcome().kind() == CallProcessor.Outcome.Kind.RESULT) {
                    // The partition moved on: the result is not ours to publish. Forget the local FINISHED so that
                    // the call, if it comes back to us, is judged by what was committed (STARTED or nothing).
                    journal.revert(c.outcome().finished(), c.outcome().startCommitted());
                }
                c.track().outstanding--;
                inFlight.decrementAndGet();
                boolean dropped = c.outcome() != null && c.outcome().kind() == CallProcessor.Outcome.Kind.DROPPED;
                if (current && !dropped) {
                    c.track().done.add(c.offset());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = committable();
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            granted.forEach(s -> s.done().completeExceptionally(e));
            throw e;
        }
        for (StartRequest start : granted) {
            journal.record(start.marker());
            start.done().complete(true);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, Track> entry : tracks.entrySet()) {
            Track track = entry.getValue();
            long last = -1;
            while (!track.pending.isEmpty() && track.done.contains(track.pending.first())) {
                last = track.pending.pollFirst();
                track.done.remove(last);
            }
            if (last >= 0) {
                offsets.put(entry.getKey(), new OffsetAndMetadata(last + 1));
            }
        }
        return offsets;
    }

    private void applyBackPressure() {
        int current = inFlight.get();
        if (!paused && current >= config.maxInFlight()) {
            consumer.pause(consumer.assignment());
            paused = true;
            pauses.incrementAndGet();
            LOG.info("back-pressure: {} calls in flight, dispatch partitions paused", current);
        } else if (paused && current <= config.maxInFlight() - resumeMargin(config)) {
            consumer.resume(consumer.paused());
            paused = false;
            LOG.info("back-pressure released: {} calls in flight, dispatch partitions resumed", current);
        }
    }

    /** Stops taking calls of these partitions, waits for the running ones (bounded) and commits what is done. */
    private void drain(Collection<TopicPartition> partitions, Duration max) {
        List<Track> draining = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Track track = tracks.get(partition);
            if (track != null) {
                track.revoked = true;
                draining.add(track);
            }
        }
        long deadline = System.nanoTime() + max.toNanos();
        while (draining.stream().anyMatch(t -> t.outstanding > 0) && System.nanoTime() < deadline) {
            // Revoked tracks stay current until removed, so what finishes meanwhile is committed with its offset.
            flush();
            try {
                Completion next = completions.pollFirst(20, TimeUnit.MILLISECONDS);
                if (next != null) {
                    completions.putFirst(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        flush();
        for (TopicPartition partition : partitions) {
            Track track = tracks.remove(partition);
            if (track != null && track.outstanding > 0) {
                LOG.warn("{} calls of {} still running when it was given up; they are processed again by the next"
                        + " owner", track.outstanding, partition);
            }
        }
    }

    private ProducerRecord<byte[], byte[]> journalRecord(JournalEntry entry) {
        return new ProducerRecord<>(GatewayTopics.JOURNAL.name(), utf8(entry.key()), entry.toBytes());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            LOG.warn("closing the dispatch consumer: {}", e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("closing the transactional producer: {}", e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("dispatch partitions revoked: {}", partitions);
                drain(partitions, config.maxTimeout().plusSeconds(5));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("dispatch partitions lost: {}; their uncommitted calls go to the next owner", partitions);
            for (TopicPartition partition : partitions) {
                Track track = tracks.remove(partition);
                if (track != null) {
                    track.revoked = true;
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Every marker a previous owner committed must be known before its records are processed again.
            journal.awaitCaughtUp(Duration.ofSeconds(60));
            for (TopicPartition partition : partitions) {
                tracks.put(partition, new Track());
            }
            if (paused) {
                consumer.pause(partitions);
            }
            LOG.info("dispatch partitions assigned: {}", partitions);
        }
    }
}
