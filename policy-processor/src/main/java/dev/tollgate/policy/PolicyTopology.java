package dev.tollgate.policy;

import dev.tollgate.events.Command;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.serde.AvroSerde;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.auth.CommandAuthenticator;
import dev.tollgate.policy.limits.LimitTotalsProcessor;
import dev.tollgate.policy.state.LimitUsage;
import dev.tollgate.policy.state.StateAvro;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The policy-processor's topology, pure wiring. Reads {@code tollgate.commands.v1} and {@code tollgate.tool-results.v1}
 * (co-partitioned by runId) into one processor, {@value #DECIDE_RUN}, that authenticates each command and owns the
 * run state (the run's record in {@value #RUN_STATE_STORE}, each settled call in {@value #RUN_CALL_STORE}, each
 * answered command id in {@value #RUN_COMMAND_STORE}), its indexes (active runs, pending approvals by expiry) and the
 * artifact contents; writes {@code tollgate.ledger.v1}, {@code tollgate.dispatch.v1} (each dispatch with the
 * processor's MAC) and {@code tollgate.artifacts.v1}, and {@code tollgate.dlq.v1} for commands of runs that were
 * never requested ({@value #DEAD_LETTER_COMMANDS}). Tenant- and agent-wide usage deltas go through the
 * repartition topic {@code <application.id>-limit-facts-repartition} (keyed by scope and window) to
 * {@value #AGGREGATE_LIMITS}, whose totals come back on {@code <application.id>-limit-totals} as the global store
 * {@value #LIMIT_USAGE_STORE}. Identities, kill switches and policy bundles are global stores. Every node, store and
 * internal topic is named here: renaming one is a migration.
 */
public final class PolicyTopology {

    public static final String RUN_STATE_STORE = "run-state-store";
    public static final String RUN_CALL_STORE = "run-call-store";
    public static final String RUN_COMMAND_STORE = "run-command-store";
    public static final String ACTIVE_RUN_STORE = "active-run-store";
    public static final String APPROVAL_EXPIRY_STORE = "approval-expiry-store";
    public static final String ARTIFACT_CONTENT_STORE = "artifact-content-store";
    public static final String LIMIT_TOTALS_STORE = "limit-totals-store";
    public static final String LIMIT_USAGE_STORE = "limit-usage-store";
    public static final String IDENTITY_STORE = "identity-store";
    public static final String KILL_SWITCH_STORE = "kill-switch-store";
    public static final String POLICY_STORE = "policy-store";

    static final String READ_COMMANDS = "read-commands";
    static final String READ_TOOL_RESULTS = "read-tool-results";
    static final String DECIDE_RUN = "decide-run";
    static final String APPEND_LEDGER = "append-ledger";
    static final String EMIT_DISPATCH = "emit-dispatch";
    static final String STORE_ARTIFACT = "store-artifact";
    static final String PUBLISH_LIMIT_FACTS = "publish-limit-facts";
    static final String DEAD_LETTER_COMMANDS = "dead-letter-commands";
    static final String READ_LIMIT_FACTS = "read-limit-facts";
    static final String AGGREGATE_LIMITS = "aggregate-limits";
    static final String PUBLISH_LIMIT_TOTALS = "publish-limit-totals";

    private PolicyTopology() {
    }

    /** The repartition topic of tenant- and agent-wide usage deltas, keyed by {@code <scope>|<windowStart>}. */
    public static String limitFactsTopic(String applicationId) {
        return applicationId + "-limit-facts-repartition";
    }

    /** The compacted feedback topic of tenant- and agent-wide totals, read back as {@value #LIMIT_USAGE_STORE}. */
    public static String limitTotalsTopic(String applicationId) {
        return applicationId + "-limit-totals";
    }

    public static Topology build(PolicyProcessorConfig config, TollgateSerdes serdes) {
        Serde<String> keys = serdes.key();
        Serde<LimitUsage> usage = StateAvro.limitUsageSerde();
        BundleCache cache = new BundleCache();
        GlobalChanges changes = new GlobalChanges();
        Topology topology = new Topology();

        topology.addGlobalStore(globalStore(IDENTITY_STORE, keys, serdes.value(Topics.IDENTITIES)), "read-identities",
                keys.deserializer(), serdes.value(Topics.IDENTITIES).deserializer(), Topics.IDENTITIES.name(),
                "update-identities", () -> new PolicyStoreProcessors.Upsert<>(IDENTITY_STORE, changes));
        topology.addGlobalStore(globalStore(KILL_SWITCH_STORE, keys, serdes.value(Topics.KILL_SWITCHES)),
                "read-kill-switches", keys.deserializer(), serdes.value(Topics.KILL_SWITCHES).deserializer(),
                Topics.KILL_SWITCHES.name(), "update-kill-switches",
                () -> new PolicyStoreProcessors.Upsert<>(KILL_SWITCH_STORE, changes));
        topology.addGlobalStore(globalStore(POLICY_STORE, keys, serdes.value(Topics.POLICIES)), "read-policies",
                keys.deserializer(), serdes.value(Topics.POLICIES).deserializer(), Topics.POLICIES.name(),
                "load-policies", () -> new PolicyStoreProcessors.LoadPolicies(POLICY_STORE, cache));
        String totalsTopic = limitTotalsTopic(config.applicationId());
        topology.addGlobalStore(globalStore(LIMIT_USAGE_STORE, keys, usage), "read-limit-totals",
                keys.deserializer(), usage.deserializer(), totalsTopic, "update-limit-usage",
                () -> new PolicyStoreProcessors.Upsert<>(LIMIT_USAGE_STORE, null));

        topology.addSource(READ_COMMANDS, keys.deserializer(), serdes.value(Topics.COMMANDS).deserializer(),
                Topics.COMMANDS.name());
        topology.addSource(READ_TOOL_RESULTS, keys.deserializer(), serdes.value(Topics.TOOL_RESULTS).deserializer(),
                Topics.TOOL_RESULTS.name());
        CommandAuthenticator authenticator = new CommandAuthenticator(config.commandKeys(), config.commandMaxSkew());
        KeyRing dispatchKeys = config.dispatchKeys();
        // The processor frames each ledger event's body itself (serialized once, hashed, forwarded as bytes).
        AvroSerde<LedgerEvent> ledgerSerde = serdes.avro(LedgerEvent.class);
        topology.addProcessor(DECIDE_RUN, () -> new RunProcessor(config, cache, changes,
                () -> ledgerSerde.register(Topics.LEDGER.name()), authenticator, dispatchKeys),
                READ_COMMANDS, READ_TOOL_RESULTS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_STATE_STORE), keys,
                StateAvro.runStateSerde()), DECIDE_RUN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_CALL_STORE), keys,
                StateAvro.callStateSerde()), DECIDE_RUN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_COMMAND_STORE), keys,
                Serdes.String()), DECIDE_RUN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACTIVE_RUN_STORE), keys,
                Serdes.String()), DECIDE_RUN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPROVAL_EXPIRY_STORE),
                keys, Serdes.String()), DECIDE_RUN);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ARTIFACT_CONTENT_STORE),
                keys, Serdes.String()), DECIDE_RUN);
        topology.addSink(APPEND_LEDGER, Topics.LEDGER.name(), keys.serializer(), Serdes.ByteArray().serializer(),
                DECIDE_RUN);
        topology.addSink(EMIT_DISPATCH, Topics.DISPATCH.name(), keys.serializer(),
                serdes.value(Topics.DISPATCH).serializer(), DECIDE_RUN);
        topology.addSink(STORE_ARTIFACT, Topics.ARTIFACTS.name(), keys.serializer(),
                serdes.value(Topics.ARTIFACTS).serializer(), DECIDE_RUN);
        topology.addSink(PUBLISH_LIMIT_FACTS, limitFactsTopic(config.applicationId()), keys.serializer(),
                usage.serializer(), DECIDE_RUN);
        Serializer<Command> commandBytes = serdes.value(Topics.COMMANDS).serializer();
        // Dead letters keep the command's bytes under its own subject: the DLQ value is the original record.
        topology.addSink(DEAD_LETTER_COMMANDS, Topics.DLQ.name(), keys.serializer(),
                (Serializer<Command>) (topic, command) -> commandBytes.serialize(Topics.COMMANDS.name(), command),
                DECIDE_RUN);

        topology.addSource(READ_LIMIT_FACTS, keys.deserializer(), usage.deserializer(),
                limitFactsTopic(config.applicationId()));
        topology.addProcessor(AGGREGATE_LIMITS, () -> new LimitTotalsProcessor(LIMIT_TOTALS_STORE,
                PUBLISH_LIMIT_TOTALS), READ_LIMIT_FACTS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LIMIT_TOTALS_STORE), keys,
                usage), AGGREGATE_LIMITS);
        topology.addSink(PUBLISH_LIMIT_TOTALS, totalsTopic, keys.serializer(), usage.serializer(), AGGREGATE_LIMITS);
        return topology;
    }

    /** Global stores are rebuilt from their topics, which are their changelogs: no extra logging. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> globalStore(String name, Serde<String> keys,
                                                                           Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values).withLoggingDisabled();
    }
}
