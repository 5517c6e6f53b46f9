package dev.tollgate.intake.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded map forgetting the least recently used entries; callers synchronize. */
final class LruMap<K, V> extends LinkedHashMap<K, V> {

    private static final long serialVersionUID = 1L;
    private final int max;

    LruMap(int max) {
        super(16, 0.75f, true);
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
    }
}
