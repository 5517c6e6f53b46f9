package dev.tollgate.projector;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.PendingApproval;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.ledger.model.TimelineEntry;
import dev.tollgate.projector.verify.RunSpan;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each ledger event to its run's view, timeline and the approvals inbox, and forwards the events about a
 * tool call re-keyed by callId; keeps each run's span of ledger offsets for verification. An event at or below the
 * view's {@code lastSeq} was applied before (a re-read after a restart) and is skipped whole, so nothing downstream
 * sees it twice either.
 */
final class RunProjectionProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(RunProjectionProcessor.class);

    private final Deserializer<LedgerEvent> deserializer;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, RunView> views;
    private KeyValueStore<String, TimelineEntry> timeline;
    private KeyValueStore<String, PendingApproval> inbox;
    private MeterRegistry meters;
    private KeyValueStore<String, RunSpan> spans;

    RunProjectionProcessor(Deserializer<LedgerEvent> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.views = context.getStateStore(ProjectorTopology.RUN_VIEW_STORE);
        this.timeline = context.getStateStore(ProjectorTopology.RUN_TIMELINE_STORE);
        this.inbox = context.getStateStore(ProjectorTopology.APPROVAL_INBOX_STORE);
        this.meters = ServiceMeters.from(context.appConfigs());
        this.spans = context.getStateStore(ProjectorTopology.RUN_OFFSET_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            throw new IllegalArgumentException("ledger record without a value (key " + record.key() + ")");
        }
        String hash = LedgerHash.ofRecordValue(record.value());
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("tollgate.ledger.v1");
        LedgerEvent event = deserializer.deserialize(topic, record.value());
        String runId = event.getRunId();
        // Before the seq check: a repeated or out-of-order record is part of what verification must read.
        context.recordMetadata().ifPresent(m -> {
            RunSpan span = spans.get(runId);
            spans.put(runId, span == null ? new RunSpan(m.partition(), m.offset(), m.offset())
                    : span.including(m.offset()));
        });
        RunView before = views.get(runId);
        if (before != null && event.getSeq() <= before.lastSeq()) {
            LOG.debug("Skipping already applied event runId={} seq={} (lastSeq {})", runId, event.getSeq(),
                    before.lastSeq());
            return;
        }
        if (before != null && event.getSeq() != before.lastSeq() + 1) {
            LOG.warn("Ledger gap for runId={}: seq {} after {}; applying (verification reports it)", runId,
                    event.getSeq(), before.lastSeq());
        }
        views.put(runId, LedgerFold.applyToRun(before, event, hash));
        timeline.put(ProjectorTopology.timelineKey(runId, event.getSeq()), LedgerFold.timelineEntry(event, hash));
        LedgerFold.heldApproval(event)
                .ifPresent(p -> inbox.put(ProjectorTopology.inboxKey(runId, p.callId()), p));
        LedgerFold.resolvedApproval(event).ifPresent(callId -> {
            String key = ProjectorTopology.inboxKey(runId, callId);
            recordWait(inbox.get(key), event);
            inbox.delete(key);
        });
        Optional<String> callId = LedgerFold.callIdOf(event);
        callId.ifPresent(id -> context.forward(record.withKey(id)));
        LOG.debug("Projected runId={} seq={} type={}", runId, event.getSeq(), LedgerFold.type(event));
    }

    /** {@code tollgate_approval_wait_seconds{outcome}}: from the call being held to the approval's decision. */
    private void recordWait(PendingApproval pending, LedgerEvent event) {
        if (pending == null || pending.requestedAt() == null) {
            return;
        }
        String type = LedgerFold.type(event);
        String outcome = type.startsWith("Approval") ? type.substring("Approval".length()).toLowerCase(Locale.ROOT)
                : type;
        try {
            Duration wait = Duration.between(Instant.parse(pending.requestedAt()), event.getOccurredAt());
            Timer.builder("tollgate.approval.wait").tag("outcome", outcome)
                    .description("From a tool call being held to its approval's decision")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofSeconds(1))
                    .maximumExpectedValue(Duration.ofDays(7)).register(meters)
                    .record(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            LOG.debug("Approval of runId={} has no parseable requestedAt", event.getRunId());
        }
    }
}
