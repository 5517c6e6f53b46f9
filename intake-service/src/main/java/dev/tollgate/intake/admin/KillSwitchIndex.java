package dev.tollgate.intake.admin;

import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The current state of every kill switch, from {@code tollgate.kill-switches.v1} (compacted, keyed by scope key)
 * read from the beginning, plus the switches this instance writes (read-your-writes). Backs
 * {@code GET /v1/kill-switches} and the console's kill-switch page. A lifted switch stays listed as lifted.
 */
public final class KillSwitchIndex {

    private final Map<String, KillSwitch> byKey = new ConcurrentHashMap<>();
    private final Deserializer<KillSwitch> deserializer;

    public KillSwitchIndex(TollgateSerdes serdes) {
        this.deserializer = serdes.value(Topics.KILL_SWITCHES).deserializer();
    }

    /** Applies one record of the topic; a tombstone forgets the switch. */
    public void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                byKey.remove(new String(record.key(), StandardCharsets.UTF_8));
            }
            return;
        }
        apply(deserializer.deserialize(record.topic(), record.value()));
    }

    /** Applies a switch as written; the later {@code updatedAt} wins when the two feeds interleave. */
    public void apply(KillSwitch value) {
        byKey.merge(KillSwitchAdmin.key(value.getScope(), value.getTarget()), value,
                (old, next) -> next.getUpdatedAt().isBefore(old.getUpdatedAt()) ? old : next);
    }

    /** Every switch, engaged ones first, then by key. */
    public List<KillSwitch> all() {
        return byKey.values().stream()
                .sorted(Comparator.comparing((KillSwitch s) -> !s.getEngaged())
                        .thenComparing(s -> KillSwitchAdmin.key(s.getScope(), s.getTarget())))
                .toList();
    }
}
