package dev.tollgate.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Issues work at a fixed rate. Latency is measured from each operation's <em>intended</em> start time, not the
 * time it actually went out, so a stall in the system under test shows up in the percentiles instead of being
 * hidden by a sender that waited (coordinated omission).
 */
final class Pacer {

    private final long intervalNanos;
    private final long start;
    private long issued;

    Pacer(double perSecond) {
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
        this.start = System.nanoTime();
    }

    /** Waits until the next operation is due and returns its intended start time (System.nanoTime()). */
    long awaitNext() {
        long due = start + issued * intervalNanos;
        issued++;
        long now;
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(Math.min(due - now, 200_000));
        }
        return due;
    }
}
