package dev.tollgate.policy.limits;

import dev.tollgate.policy.state.LimitUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Processor API glue of the limit aggregation: reads usage deltas from the limit-facts repartition topic (keyed by
 * {@code <scope>|<windowStart>}, so each window is counted in one task), adds them to the totals it owns in its
 * store and forwards each new total to the feedback topic, which every instance reads back as a global store. Once
 * stream time is a day past a window's end, the window is deleted and a tombstone forwarded. Under exactly_once_v2
 * the store, the feedback and the consumed offsets commit together.
 */
public final class LimitTotalsProcessor implements Processor<String, LimitUsage, String, LimitUsage> {

    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    private final String storeName;
    private final String sinkName;
    private ProcessorContext<String, LimitUsage> context;
    private KeyValueStore<String, LimitUsage> totals;

    public LimitTotalsProcessor(String storeName, String sinkName) {
        this.storeName = storeName;
        this.sinkName = sinkName;
    }

    @Override
    public void init(ProcessorContext<String, LimitUsage> context) {
        this.context = context;
        this.totals = context.getStateStore(storeName);
        context.schedule(PURGE_EVERY, PunctuationType.STREAM_TIME, this::purge);
    }

    @Override
    public void process(Record<String, LimitUsage> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        LimitUsage total = LimitsDecider.add(totals.get(record.key()), record.value());
        totals.put(record.key(), total);
        context.forward(record.withValue(total), sinkName);
    }

    private void purge(long streamTime) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, LimitUsage> all = totals.all()) {
            while (all.hasNext()) {
                KeyValue<String, LimitUsage> entry = all.next();
                if (LimitsDecider.expiresAt(entry.value) < streamTime) {
                    expired.add(entry.key);
                }
            }
        }
        for (String key : expired) {
            totals.delete(key);
            context.forward(new Record<String, LimitUsage>(key, null, streamTime), sinkName);
        }
    }
}
