package dev.tollgate.intake.identity;

import dev.tollgate.events.Identity;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The in-memory view of {@code tollgate.identities.v1}: API-key digest to identity and principal id to identity.
 * Fed by a reader of the whole topic (see {@code IntakeApp}), so a disabled identity is refused by every intake
 * instance within one poll (100 ms), and directly with the records this instance writes (read-your-writes). A
 * record applies only if its offset is newer than the one applied for that principal, so the two feeds can
 * interleave in any order.
 */
public final class IdentityIndex {

    private record Entry(Identity identity, long offset) {
    }

    private final Map<String, Entry> byPrincipal = new ConcurrentHashMap<>();
    private final Map<String, String> principalByKeySha = new ConcurrentHashMap<>();
    private final Deserializer<Identity> deserializer;

    public IdentityIndex(TollgateSerdes serdes) {
        this.deserializer = serdes.value(Topics.IDENTITIES).deserializer();
    }

    /** Applies one record read from the topic; a tombstone forgets the principal. */
    public void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                remove(new String(record.key(), StandardCharsets.UTF_8), record.offset());
            }
            return;
        }
        apply(deserializer.deserialize(record.topic(), record.value()), record.offset());
    }

    /** Applies an identity written at {@code offset} of the (single-partition) identities topic. */
    public synchronized void apply(Identity identity, long offset) {
        Entry previous = byPrincipal.get(identity.getPrincipalId());
        if (previous != null && previous.offset() >= offset) {
            return;
        }
        if (previous != null && !previous.identity().getApiKeySha256().equals(identity.getApiKeySha256())) {
            principalByKeySha.remove(previous.identity().getApiKeySha256(), identity.getPrincipalId());
        }
        byPrincipal.put(identity.getPrincipalId(), new Entry(identity, offset));
        principalByKeySha.put(identity.getApiKeySha256(), identity.getPrincipalId());
    }

    private synchronized void remove(String principalId, long offset) {
        Entry previous = byPrincipal.get(principalId);
        if (previous != null && previous.offset() < offset) {
            byPrincipal.remove(principalId);
            principalByKeySha.remove(previous.identity().getApiKeySha256(), principalId);
        }
    }

    /** The identity holding a key, enabled or not. */
    public Optional<Identity> byApiKey(String apiKey) {
        String principalId = principalByKeySha.get(ApiKeys.sha256(apiKey));
        return principalId == null ? Optional.empty() : byPrincipalId(principalId);
    }

    public Optional<Identity> byPrincipalId(String principalId) {
        Entry entry = byPrincipal.get(principalId);
        return entry == null ? Optional.empty() : Optional.of(entry.identity());
    }

    /** Every identity known, enabled or not, by principal id. */
    public List<Identity> all() {
        return byPrincipal.values().stream().map(Entry::identity)
                .sorted(Comparator.comparing(Identity::getPrincipalId)).toList();
    }

    public int size() {
        return byPrincipal.size();
    }
}
