package dev.tollgate.bench;

import java.util.Arrays;

/**
 * Latency samples of one measurement, in nanoseconds, with exact percentiles (nearest-rank). Samples are kept
 * in a growable primitive array: a few hundred thousand per run fit easily and need no histogram library.
 */
final class Latencies {

    private long[] samples = new long[1 << 14];
    private int count;
    private boolean sorted;

    synchronized void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = nanos;
        sorted = false;
    }

    synchronized int count() {
        return count;
    }

    /** The {@code p}-th percentile (0 < p <= 100) in milliseconds, nearest-rank; NaN without samples. */
    synchronized double percentileMillis(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        if (!sorted) {
            Arrays.sort(samples, 0, count);
            sorted = true;
        }
        int rank = (int) Math.ceil(p / 100.0 * count);
        return samples[Math.max(0, Math.min(count, rank) - 1)] / 1_000_000.0;
    }

    synchronized double maxMillis() {
        return percentileMillis(100);
    }
}
