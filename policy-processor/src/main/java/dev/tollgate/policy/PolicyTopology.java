package dev.tollgate.policy;

import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.state.StateAvro;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The policy-processor's topology, pure wiring. Reads {@code tollgate.commands.v1} and {@code tollgate.tool-results.v1}
 * (co-partitioned by runId) into one processor that owns {@value #RUN_STATE_STORE}; writes
 * {@code tollgate.ledger.v1} and {@code tollgate.dispatch.v1}. Identities, kill switches and policy bundles are
 * global stores. Every node, store and internal topic is named here: renaming one is a migration.
 */
public final class PolicyTopology {

    public static final String RUN_STATE_STORE = "run-state-store";
    public static final String IDENTITY_STORE = "identity-store";
    public static final String KILL_SWITCH_STORE = "kill-switch-store";
    public static final String POLICY_STORE = "policy-store";

    static final String READ_COMMANDS = "read-commands";
    static final String READ_TOOL_RESULTS = "read-tool-results";
    static final String DECIDE_RUN = "decide-run";
    static final String APPEND_LEDGER = "append-ledger";
    static final String EMIT_DISPATCH = "emit-dispatch";

    private PolicyTopology() {
    }

    public static Topology build(PolicyProcessorConfig config, TollgateSerdes serdes) {
        Serde<String> keys = serdes.key();
        BundleCache cache = new BundleCache();
        Topology topology = new Topology();

        topology.addGlobalStore(globalStore(IDENTITY_STORE, keys, serdes.value(Topics.IDENTITIES)), "read-identities",
                keys.deserializer(), serdes.value(Topics.IDENTITIES).deserializer(), Topics.IDENTITIES.name(),
                "update-identities", () -> new PolicyStoreProcessors.Upsert<>(IDENTITY_STORE));
        topology.addGlobalStore(globalStore(KILL_SWITCH_STORE, keys, serdes.value(Topics.KILL_SWITCHES)),
                "read-kill-switches", keys.deserializer(), serdes.value(Topics.KILL_SWITCHES).deserializer(),
                Topics.KILL_SWITCHES.name(), "update-kill-switches",
                () -> new PolicyStoreProcessors.Upsert<>(KILL_SWITCH_STORE));
        topology.addGlobalStore(globalStore(POLICY_STORE, keys, serdes.value(Topics.POLICIES)), "read-policies",
                keys.deserializer(), serdes.value(Topics.POLICIES).deserializer(), Topics.POLICIES.name(),
                "load-policies", () -> new PolicyStoreProcessors.LoadPolicies(POLICY_STORE, cache));

        topology.addSource(READ_COMMANDS, keys.deserializer(), serdes.value(Topics.COMMANDS).deserializer(),
                Topics.COMMANDS.name());
        topology.addSource(READ_TOOL_RESULTS, keys.deserializer(), serdes.value(Topics.TOOL_RESULTS).deserializer(),
                Topics.TOOL_RESULTS.name());
        topology.addProcessor(DECIDE_RUN, () -> new RunProcessor(config.policyBundle(), cache), READ_COMMANDS,
                READ_TOOL_RESULTS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_STATE_STORE), keys,
                StateAvro.runStateSerde()), DECIDE_RUN);
        topology.addSink(APPEND_LEDGER, Topics.LEDGER.name(), keys.serializer(),
                serdes.value(Topics.LEDGER).serializer(), DECIDE_RUN);
        topology.addSink(EMIT_DISPATCH, Topics.DISPATCH.name(), keys.serializer(),
                serdes.value(Topics.DISPATCH).serializer(), DECIDE_RUN);
        return topology;
    }

    /** Global stores are rebuilt from their topics, which are their changelogs: no extra logging. */
    private static <V> StoreBuilder<KeyValueStore<String, V>> globalStore(String name, Serde<String> keys,
                                                                           Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values).withLoggingDisabled();
    }
}
