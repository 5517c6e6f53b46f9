package dev.tollgate.policy.decide;

import dev.tollgate.events.ArtifactContent;
import dev.tollgate.events.Command;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.serde.AvroBinary;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends a decision to a run's ledger: numbers each event (seq 1, 2, 3... per run, no gaps), chains it to the
 * previous one ({@code prevHash}, DESIGN.md's hash chain), stamps the envelope (event time is the command's
 * issuedAt, never the wall clock; the event id is derived from runId and seq so a replay produces the same bytes)
 * and folds it into the run state. Pure.
 */
public final class RunLedger {

    /**
     * The envelope fields that come from what was answered.
     *
     * @param tenantId    tenant of the run
     * @param principalId principal that issued the command (or owns the run, for results)
     * @param occurredAt  event time
     * @param causationId the command answered, or null
     * @param traceparent W3C trace context, or null
     */
    public record Envelope(String tenantId, String principalId, Instant occurredAt, String causationId,
                           String traceparent) {

        public static Envelope of(Command command) {
            return new Envelope(command.getTenantId(), command.getPrincipalId(), command.getIssuedAt(),
                    command.getCommandId(), command.getTraceparent());
        }
    }

    /**
     * One appended event.
     *
     * @param event    the ledger event
     * @param body     its Avro binary body, serialized once: what {@code hash} covers and what goes on the topic
     *                 (after the wire-format header), so the {@code tollgate-hash} header covers the topic's bytes
     *                 by construction
     * @param hash     its hash (the next event's prevHash, the record's {@code tollgate-hash} header)
     * @param dispatch the dispatch it approved, with {@code ledgerSeq} set, or null
     * @param artifact the artifact content it recorded, or null
     */
    public record Entry(LedgerEvent event, byte[] body, String hash, ToolCallDispatch dispatch,
                        ArtifactContent artifact) {
    }

    /**
     * The result of appending.
     *
     * @param state   the run state after every event
     * @param entries the events, in order
     */
    public record Appended(RunState state, List<Entry> entries) {
    }

    private RunLedger() {
    }

    public static Appended append(RunState state, String runId, Envelope envelope, Decision decision) {
        RunState run = state == null ? RunDecider.initial(runId) : state;
        CompiledBundle bundle = decision.bundle();
        List<Entry> entries = new ArrayList<>();
        for (Decided decided : decision.events()) {
            long seq = run.getLastSeq() + 1;
            Envelope env = decided.timerAt() == null ? envelope
                    : new Envelope("", "", decided.timerAt(), null, null);
            LedgerEvent event = LedgerEvent.newBuilder()
                    .setRunId(runId)
                    .setSeq(seq)
                    .setEventId(eventId(runId, seq))
                    .setOccurredAt(env.occurredAt())
                    .setTenantId(env.tenantId().isEmpty() ? run.getTenantId() : env.tenantId())
                    .setPrincipalId(env.principalId().isEmpty() ? run.getPrincipalId() : env.principalId())
                    .setPolicyName(bundle == null ? null : bundle.name())
                    .setPolicyVersion(bundle == null ? null : bundle.version())
                    .setPolicySha256(bundle == null ? null : bundle.sha256())
                    .setCausationId(env.causationId())
                    .setTraceparent(env.traceparent())
                    .setPrevHash(run.getLastHash())
                    .setPayload(decided.payload())
                    .build();
            byte[] body = AvroBinary.encode(event);
            String hash = Sha256.hex(body);
            run = RunDecider.evolve(run, event, hash, decided.stateOnly());
            ToolCallDispatch dispatch = decided.dispatch() == null ? null
                    : ToolCallDispatch.newBuilder(decided.dispatch()).setLedgerSeq(seq).build();
            entries.add(new Entry(event, body, hash, dispatch, decided.artifact()));
        }
        return new Appended(run, entries);
    }

    /** A name-based UUID of runId and seq: unique per event, and the same when a run is re-decided. */
    public static String eventId(String runId, long seq) {
        // UUID.nameUUIDFromBytes, with this thread's MD5 instead of a provider lookup per event.
        MessageDigest md5 = MD5.get();
        md5.reset();
        byte[] hash = md5.digest((runId + "/" + seq).getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5 (UUID.nameUUIDFromBytes uses it)", e);
        }
    });
}
