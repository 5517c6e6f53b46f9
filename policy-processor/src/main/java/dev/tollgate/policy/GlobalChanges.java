package dev.tollgate.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A version counter of the identity and kill-switch global stores, bumped by the global thread after each update
 * and read by the stream tasks' punctuators: a task rescans its active runs only when the counter moved since its
 * last scan (and once after it starts), so an idle cluster costs nothing and a switch halts runs within one
 * punctuation interval.
 */
final class GlobalChanges {

    private final AtomicLong version = new AtomicLong();

    void changed() {
        version.incrementAndGet();
    }

    long version() {
        return version.get();
    }
}
