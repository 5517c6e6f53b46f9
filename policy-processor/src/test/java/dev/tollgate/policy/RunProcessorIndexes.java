package dev.tollgate.policy;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Reads the processor's index stores in topology tests. */
final class RunProcessorIndexes {

    private RunProcessorIndexes() {
    }

    static int count(KeyValueStore<String, String> store) {
        int count = 0;
        try (KeyValueIterator<String, String> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
        return count;
    }
}
