package dev.tollgate.gateway;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The topics the gateway reads and writes. The contract topics come from {@link Topics}; the journal is the
 * gateway's own internal topic (like a Kafka Streams changelog, it is no part of the contract and no other service
 * reads it).
 */
public final class GatewayTopics {

    /**
     * The at-most-once journal, keyed by {@code runId/callId}: a {@code STARTED} marker committed before a
     * non-idempotent call runs, and a {@code FINISHED} marker committed in the same transaction as the call's result.
     * Values are canonical JSON (see {@link dev.tollgate.gateway.journal.JournalEntry}). Compacted, and deleted after
     * twice the dispatch topic's retention, when no dispatch it could deduplicate is left.
     */
    public static final TopicSpec<String, byte[]> JOURNAL = new TopicSpec<>(
            "tollgate.gateway-journal.v1", String.class, byte[].class, Topics.RUN_PARTITIONS,
            Map.of("cleanup.policy", "compact,delete",
                    "retention.ms", Long.toString(Duration.ofDays(14).toMillis()),
                    "min.compaction.lag.ms", Long.toString(Duration.ofHours(1).toMillis())),
            "tool-gateway", "The tool gateway's at-most-once journal: STARTED and FINISHED markers by runId/callId");

    /** Every topic the gateway creates when missing. */
    public static final List<TopicSpec<String, ?>> ALL = List.of(
            Topics.DISPATCH, Topics.TOOL_RESULTS, Topics.GATEWAY_KEYS, Topics.DLQ, JOURNAL, Topics.TOOL_CATALOG);

    /** The consumer group of every gateway instance (a constant: renaming it loses the committed offsets). */
    public static final String GROUP_ID = "tollgate-tool-gateway-v1";

    private GatewayTopics() {
    }
}
