package dev.tollgate.events;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The topic registry: every topic of Tollgate v1, as DESIGN.md lists them. Run-keyed topics share one partition
 * count, so a run's commands, ledger events, dispatches and results live in partitions with the same number.
 */
public final class Topics {

    /** Partition count shared by every run-keyed topic. Changing it re-keys runs: it is a migration. */
    public static final int RUN_PARTITIONS = 6;

    public static final TopicSpec<String, Command> COMMANDS = new TopicSpec<>(
            "tollgate.commands.v1", String.class, Command.class, RUN_PARTITIONS,
            TopicSpec.retention(Duration.ofDays(7)), "intake-service",
            "Commands (intents) keyed by runId: RequestRun, RequestToolCall, ReportUsage, ...");

    public static final TopicSpec<String, LedgerEvent> LEDGER = new TopicSpec<>(
            "tollgate.ledger.v1", String.class, LedgerEvent.class, RUN_PARTITIONS,
            TopicSpec.forever(), "policy-processor",
            "The hash-chained ledger of every request, decision and outcome, keyed by runId");

    public static final TopicSpec<String, ToolCallDispatch> DISPATCH = new TopicSpec<>(
            "tollgate.dispatch.v1", String.class, ToolCallDispatch.class, RUN_PARTITIONS,
            TopicSpec.retention(Duration.ofDays(7)), "policy-processor",
            "Approved tool calls for the gateway, keyed by runId");

    public static final TopicSpec<String, ToolCallResult> TOOL_RESULTS = new TopicSpec<>(
            "tollgate.tool-results.v1", String.class, ToolCallResult.class, RUN_PARTITIONS,
            TopicSpec.retention(Duration.ofDays(7)), "tool-gateway",
            "Signed tool-call results, keyed by runId");

    public static final TopicSpec<String, PolicyBundle> POLICIES = new TopicSpec<>(
            "tollgate.policies.v1", String.class, PolicyBundle.class, 1,
            TopicSpec.forever(), "intake-service",
            "Published policy bundles keyed by bundle name; every version kept");

    public static final TopicSpec<String, Identity> IDENTITIES = new TopicSpec<>(
            "tollgate.identities.v1", String.class, Identity.class, 1,
            TopicSpec.compacted(), "intake-service",
            "Principals keyed by principalId, API keys stored as SHA-256");

    public static final TopicSpec<String, KillSwitch> KILL_SWITCHES = new TopicSpec<>(
            "tollgate.kill-switches.v1", String.class, KillSwitch.class, 1,
            TopicSpec.compacted(), "intake-service",
            "Kill switches keyed by scope key (global, tenant:ID, agent:ID, run:ID)");

    public static final TopicSpec<String, ArtifactContent> ARTIFACTS = new TopicSpec<>(
            "tollgate.artifacts.v1", String.class, ArtifactContent.class, RUN_PARTITIONS,
            TopicSpec.compacted(), "policy-processor",
            "Artifact contents keyed by sha256");

    public static final TopicSpec<String, GatewayKey> GATEWAY_KEYS = new TopicSpec<>(
            "tollgate.gateway-keys.v1", String.class, GatewayKey.class, 1,
            TopicSpec.compacted(), "tool-gateway",
            "Receipt-signing public keys of the tool gateways, keyed by keyId");

    public static final TopicSpec<String, ToolDefinition> TOOL_CATALOG = new TopicSpec<>(
            "tollgate.tool-catalog.v1", String.class, ToolDefinition.class, 1,
            TopicSpec.compacted(), "tool-gateway",
            "Definitions of the upstream tools the gateways offer, with their SHA-256, keyed by tool name");

    public static final TopicSpec<String, byte[]> DLQ = new TopicSpec<>(
            "tollgate.dlq.v1", String.class, byte[].class, RUN_PARTITIONS,
            TopicSpec.retention(Duration.ofDays(30)), "any",
            "Records that could not be processed: original key and bytes, headers say why");

    /** Every topic, in the order above. */
    public static final List<TopicSpec<String, ?>> ALL = List.of(
            COMMANDS, LEDGER, DISPATCH, TOOL_RESULTS, POLICIES, IDENTITIES, KILL_SWITCHES, ARTIFACTS, GATEWAY_KEYS, DLQ,
            TOOL_CATALOG);

    private Topics() {
    }

    public static Optional<TopicSpec<String, ?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
