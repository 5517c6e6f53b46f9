package dev.tollgate.projector;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.PendingApproval;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.ledger.model.TimelineEntry;
import dev.tollgate.ledger.model.ToolCallView;
import dev.tollgate.projector.verify.RunSpan;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The projector's topology, pure wiring.
 *
 * <p>Reads {@code tollgate.ledger.v1} as raw bytes, so that each event's hash is computed from the exact bytes on
 * the topic ({@code LedgerHash.ofRecordValue}), then decodes it. Processor {@code project-run} (partitioned by
 * runId) owns:
 * <ul>
 *     <li>{@value #RUN_VIEW_STORE}: runId → {@link RunView};</li>
 *     <li>{@value #RUN_TIMELINE_STORE}: {@code runId/seq} (seq zero-padded to 19 digits, so a prefix scan is in
 *     seq order) → {@link TimelineEntry};</li>
 *     <li>{@value #APPROVAL_INBOX_STORE}: {@code runId/callId} → {@link PendingApproval};</li>
 *     <li>{@value #RUN_OFFSET_STORE}: runId → {@link RunSpan}, the ledger partition and the first and last offsets
 *     of the run's records, so that {@code GET /v1/runs/{runId}/verify} reads that span only.</li>
 * </ul>
 * Events about a tool call are then re-keyed by callId through the named repartition topic
 * {@code <application.id>-}{@value #TOOL_CALL_REPARTITION}{@code -repartition} (still the original ledger bytes, so
 * nothing new is registered in the schema registry), and processor {@code project-tool-call} owns
 * {@value #TOOL_CALL_STORE}: callId → the list of {@link ToolCallView}s with that callId (callIds are unique within
 * a run, not globally; the API filters by tenant), and {@value #HELD_CALL_STORE}: callId → the list of
 * {@link HeldCallView}s (every call ever held with that callId, pending or decided; the index intake's approval
 * routes look calls up in). Keying by callId is what lets {@code GET /v1/tool-calls/{callId}} and
 * {@code GET /v1/held-calls/{callId}} find their owner instance with one metadata lookup.
 *
 * <p>Global stores: {@value #IDENTITY_STORE} (tollgate.identities.v1 through processor {@code index-identities}, for
 * API keys: {@code principal:<principalId>} and {@code key:<sha256 of the api key>} → the identity, so a request is
 * authenticated with one lookup) and {@value #GATEWAY_KEY_STORE} (tollgate.gateway-keys.v1, for receipt
 * signatures).
 */
public final class ProjectorTopology {

    public static final String RUN_VIEW_STORE = "run-view-store";
    public static final String RUN_TIMELINE_STORE = "run-timeline-store";
    public static final String TOOL_CALL_STORE = "tool-call-store";
    public static final String APPROVAL_INBOX_STORE = "approval-inbox-store";
    public static final String HELD_CALL_STORE = "held-call-store";
    public static final String RUN_OFFSET_STORE = "run-offset-store";
    /** Keyed both by principal and by API-key hash (see {@link IdentityIndexProcessor}). */
    public static final String IDENTITY_STORE = "identity-key-store";
    public static final String GATEWAY_KEY_STORE = "gateway-key-store";
    public static final String TOOL_CALL_REPARTITION = "tool-calls-by-call-id";

    /** Value type of {@value #TOOL_CALL_STORE}. */
    public static final TypeReference<List<ToolCallView>> TOOL_CALLS = new TypeReference<>() {
    };

    /** Value type of {@value #HELD_CALL_STORE}. */
    public static final TypeReference<List<HeldCallView>> HELD_CALLS = new TypeReference<>() {
    };

    private ProjectorTopology() {
    }

    /** Builds the topology; no I/O. */
    public static Topology build(ProjectorConfig config, TollgateSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        // The stores rewritten by every event of a run or a call (view, span, call views, inbox, held calls) are
        // cached: between two commits a key is written to RocksDB and its changelog once, not once per event, which
        // is what bounds catching up on a long ledger. The timeline gets one new key per event, so no cache there.
        Deserializer<LedgerEvent> ledger = serdes.value(Topics.LEDGER).deserializer();

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_VIEW_STORE),
                Serdes.String(), JsonSerde.of(RunView.class)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_TIMELINE_STORE),
                Serdes.String(), JsonSerde.of(TimelineEntry.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPROVAL_INBOX_STORE),
                Serdes.String(), JsonSerde.of(PendingApproval.class)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TOOL_CALL_STORE),
                Serdes.String(), JsonSerde.of(TOOL_CALLS)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_CALL_STORE),
                Serdes.String(), JsonSerde.of(HELD_CALLS)).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_OFFSET_STORE),
                Serdes.String(), JsonSerde.of(RunSpan.class)).withCachingEnabled());

        KStream<String, byte[]> events = builder.stream(Topics.LEDGER.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-ledger"));
        events.process(() -> new RunProjectionProcessor(ledger), Named.as("project-run"),
                        RUN_VIEW_STORE, RUN_TIMELINE_STORE, APPROVAL_INBOX_STORE, RUN_OFFSET_STORE)
                .repartition(Repartitioned.<String, byte[]>as(TOOL_CALL_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()))
                .process(() -> new ToolCallProcessor(ledger), Named.as("project-tool-call"), TOOL_CALL_STORE,
                        HELD_CALL_STORE);

        // A global store with its own processor (re-run on restore), so it can be keyed by the API-key hash too.
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDENTITY_STORE),
                        Serdes.String(), serdes.value(Topics.IDENTITIES)).withLoggingDisabled(),
                Topics.IDENTITIES.name(),
                Consumed.with(serdes.key(), serdes.value(Topics.IDENTITIES)).withName("read-identities"),
                IdentityIndexProcessor::new);
        builder.globalTable(Topics.GATEWAY_KEYS.name(),
                Consumed.with(serdes.key(), serdes.value(Topics.GATEWAY_KEYS)).withName("read-gateway-keys"),
                Materialized.<String, GatewayKey, KeyValueStore<Bytes, byte[]>>as(GATEWAY_KEY_STORE)
                        .withKeySerde(serdes.key()).withValueSerde(serdes.value(Topics.GATEWAY_KEYS)));
        return builder.build();
    }

    /** Key of a timeline entry: the run id, a slash, and the seq zero-padded so keys sort in seq order. */
    public static String timelineKey(String runId, long seq) {
        return runId + "/" + String.format("%019d", seq);
    }

    /** Prefix of every timeline key of a run. */
    public static String timelinePrefix(String runId) {
        return runId + "/";
    }

    /** Key of the identity an API key belongs to in {@value #IDENTITY_STORE}, given the key's hex SHA-256. */
    public static String apiKeyIndex(String apiKeySha256) {
        return IdentityIndexProcessor.apiKeyKey(apiKeySha256);
    }

    /** Key of a principal's identity in {@value #IDENTITY_STORE}. */
    public static String principalIndex(String principalId) {
        return IdentityIndexProcessor.principalKey(principalId);
    }

    /** Key of an inbox entry. */
    public static String inboxKey(String runId, String callId) {
        return runId + "/" + callId;
    }
}
