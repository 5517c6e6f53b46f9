package dev.tollgate.policy;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global-store updaters: identities, kill switches and limit totals as they come, policy bundles only when they
 * compile.
 */
final class PolicyStoreProcessors {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStoreProcessors.class);

    private PolicyStoreProcessors() {
    }

    /** Upserts each record into the store; a tombstone deletes. Then tells {@code changes}, if given. */
    static final class Upsert<V> implements Processor<String, V, Void, Void> {

        private final String storeName;
        private final GlobalChanges changes;
        private KeyValueStore<String, V> store;

        Upsert(String storeName, GlobalChanges changes) {
            this.storeName = storeName;
            this.changes = changes;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
            if (changes != null) {
                changes.changed();
            }
        }
    }

    /**
     * Keeps, per bundle name, the latest bundle that compiled. A bundle that does not compile is logged with its
     * problems and ignored: the previous one stays in force. Runs on restore too (global stores reprocess), so a
     * restart never brings a refused bundle into force.
     *
     * <p><b>Versions are immutable.</b> The first bundle that compiled under a name + version is remembered in the
     * same store, under {@link #versionKey} (a key no bundle name can have); a later bundle with that name and
     * version but another SHA-256 (written straight to the topic, or by two intakes racing) is logged and ignored:
     * the bundle in force stays, so one version never means two contents. The same content again is applied
     * (re-publishing an earlier version brings it back into force).
     */
    static final class LoadPolicies implements Processor<String, PolicyBundle, Void, Void> {

        private final String storeName;
        private final BundleCache cache;
        private KeyValueStore<String, PolicyBundle> store;

        LoadPolicies(String storeName, BundleCache cache) {
            this.storeName = storeName;
            this.cache = cache;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, PolicyBundle> record) {
            PolicyBundle bundle = record.value();
            if (bundle == null || record.key() == null) {
                return;
            }
            try {
                CompiledBundle compiled = cache.compiled(bundle);
                if (!compiled.name().equals(record.key())) {
                    LOG.warn("Ignoring policy bundle published under key {} but named {}", record.key(),
                            compiled.name());
                    return;
                }
                // The version that decides is the one inside the YAML (the record's field is a copy of it).
                String versionKey = versionKey(compiled.name(), compiled.version());
                PolicyBundle first = store.get(versionKey);
                if (first != null && !first.getSha256().equals(compiled.sha256())) {
                    LOG.warn("Refused policy bundle {} version {} (sha256 {}): that version was published first "
                            + "with sha256 {} and versions are immutable; the bundle in force stays",
                            compiled.name(), compiled.version(), compiled.sha256(), first.getSha256());
                    return;
                }
                if (first == null) {
                    // Only what identifies the version: the YAML is kept once, under the name.
                    store.put(versionKey, PolicyBundle.newBuilder(bundle).setVersion(compiled.version())
                            .setYaml("").build());
                }
                store.put(record.key(), bundle);
                cache.publish(compiled);
                LOG.info("Policy bundle {} version {} (sha256 {}) in force", compiled.name(), compiled.version(),
                        compiled.sha256());
            } catch (PolicyCompileException e) {
                LOG.warn("Refused policy bundle {} version {}; the previous one stays in force. {}", record.key(),
                        bundle.getVersion(), e.getMessage());
            }
        }

        /** The store key of a version's first content: NUL cannot occur in a bundle name or a record key here. */
        static String versionKey(String name, String version) {
            return "\u0000version\u0000" + name + "\u0000" + version;
        }
    }
}
