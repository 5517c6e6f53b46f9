package dev.tollgate.intake.admin;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Every published policy bundle version, in publication order, from {@code tollgate.policies.v1} (every version
 * kept) read from the beginning, plus the versions this instance publishes. Backs {@code GET /v1/policies},
 * {@code GET /v1/policies/{name}/versions} and the console's policy page. A version seen twice (the instance's
 * own write, then the topic) is kept once.
 */
public final class PolicyIndex {

    private final List<PolicyBundle> versions = new ArrayList<>();
    private final Deserializer<PolicyBundle> deserializer;

    public PolicyIndex(TollgateSerdes serdes) {
        this.deserializer = serdes.value(Topics.POLICIES).deserializer();
    }

    /** Applies one record of the topic. */
    public void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() != null) {
            apply(deserializer.deserialize(record.topic(), record.value()));
        }
    }

    /** Applies a published version, unless the same name, version and content is known already. */
    public synchronized void apply(PolicyBundle bundle) {
        for (PolicyBundle known : versions) {
            if (known.getName().equals(bundle.getName()) && known.getVersion().equals(bundle.getVersion())
                    && known.getSha256().equals(bundle.getSha256())) {
                return;
            }
        }
        versions.add(bundle);
    }

    /** Every version, oldest first. */
    public synchronized List<PolicyBundle> all() {
        return List.copyOf(versions);
    }

    /** The versions of one bundle, oldest first. */
    public synchronized List<PolicyBundle> versions(String name) {
        return versions.stream().filter(b -> b.getName().equals(name)).toList();
    }
}
