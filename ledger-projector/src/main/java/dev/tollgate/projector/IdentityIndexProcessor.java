package dev.tollgate.projector;

import dev.tollgate.events.Identity;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global {@code identity-key-store} from tollgate.identities.v1 under two keys per identity:
 * {@code principal:<principalId>} and {@code key:<sha256 of its API key>}. A new key for a principal removes the old
 * key's entry and a tombstone removes both, so a rotated or deleted key stops authenticating at once. Streams re-runs
 * this processor when it restores the store from the topic, so the layout survives a restart.
 */
final class IdentityIndexProcessor implements Processor<String, Identity, Void, Void> {

    private KeyValueStore<String, Identity> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(ProjectorTopology.IDENTITY_STORE);
    }

    @Override
    public void process(Record<String, Identity> record) {
        if (record.key() == null) {
            return;
        }
        Identity before = store.get(principalKey(record.key()));
        Identity after = record.value();
        if (before != null && (after == null || !before.getApiKeySha256().equals(after.getApiKeySha256()))) {
            store.delete(apiKeyKey(before.getApiKeySha256()));
        }
        if (after == null) {
            store.delete(principalKey(record.key()));
            return;
        }
        store.put(principalKey(record.key()), after);
        store.put(apiKeyKey(after.getApiKeySha256()), after);
    }

    /** The store key of a principal's identity. */
    static String principalKey(String principalId) {
        return "principal:" + principalId;
    }

    /** The store key of the identity an API key (given as its lowercase hex SHA-256) belongs to. */
    static String apiKeyKey(String apiKeySha256) {
        return "key:" + apiKeySha256;
    }
}
