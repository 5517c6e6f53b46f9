package dev.tollgate.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Issues work at a fixed rate. Latency is measured from each operation's <em>intended</em> start time, not the
 * time it actually went out, so a stall in the system under test shows up in the percentiles instead of being
 * hidden by a sender that waited (coordinated omission). The schedule is absolute ({@link #due}): a late sender
 * catches up in a burst rather than drifting.
 */
final class Pacer {

    private final double intervalNanos;
    private final long start;
    private long issued;

    Pacer(double perSecond) {
        this(perSecond, System.nanoTime());
    }

    Pacer(double perSecond, long startNanos) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, was " + perSecond);
        }
        this.intervalNanos = 1e9 / perSecond;
        this.start = startNanos;
    }

    /** The intended start of operation {@code n} (0-based): {@code start + n / rate}, without cumulative drift. */
    long due(long n) {
        return start + (long) (n * intervalNanos);
    }

    /** Waits until the next operation is due and returns its intended start time (System.nanoTime()). */
    long awaitNext() {
        long due = due(issued++);
        long now;
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(Math.min(due - now, 200_000));
        }
        return due;
    }
}
