package dev.tollgate.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One line of the benchmark report: what was measured, at which offered rate, and what came out.
 *
 * @param name         the measurement, e.g. {@code governed}, {@code baseline-raw}, {@code baseline-eos}
 * @param offeredRate  operations per second offered (0 for throughput runs that go as fast as they can)
 * @param samples      completed operations measured
 * @param lost         measured operations sent whose answer never arrived before the drain deadline
 * @param achievedRate operations per second completed in the measured window
 * @param p50          latency percentiles and maximum in milliseconds (NaN for pure throughput runs)
 * @param p90          90th percentile, ms
 * @param p99          99th percentile, ms
 * @param p999         99.9th percentile, ms
 * @param max          the slowest sample, ms
 */
record BenchResult(String name, double offeredRate, long samples, long lost, double achievedRate,
                   double p50, double p90, double p99, double p999, double max) {

    static BenchResult of(String name, double offeredRate, Latencies latencies, long lost, double achievedRate) {
        return new BenchResult(name, offeredRate, latencies.count(), lost, achievedRate,
                latencies.percentileMillis(50), latencies.percentileMillis(90), latencies.percentileMillis(99),
                latencies.percentileMillis(99.9), latencies.maxMillis());
    }

    static BenchResult throughput(String name, long samples, long lost, double perSecond) {
        return new BenchResult(name, 0, samples, lost, perSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN);
    }

    /**
     * The median of repeated measurements of one thing, field by field (each percentile is the median of that
     * percentile over the repeats; samples and lost are summed). On a noisy machine this is what the report quotes.
     */
    static BenchResult median(List<BenchResult> repeats) {
        if (repeats.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        BenchResult first = repeats.get(0);
        return new BenchResult(first.name(), first.offeredRate(),
                repeats.stream().mapToLong(BenchResult::samples).sum(),
                repeats.stream().mapToLong(BenchResult::lost).sum(),
                median(repeats, BenchResult::achievedRate), median(repeats, BenchResult::p50),
                median(repeats, BenchResult::p90), median(repeats, BenchResult::p99),
                median(repeats, BenchResult::p999), median(repeats, BenchResult::max));
    }

    static double median(List<BenchResult> repeats, ToDoubleFunction<BenchResult> field) {
        double[] values = repeats.stream().mapToDouble(field).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("offeredRate", offeredRate);
        map.put("samples", samples);
        map.put("lost", lost);
        map.put("achievedRate", round(achievedRate));
        map.put("p50Ms", round(p50));
        map.put("p90Ms", round(p90));
        map.put("p99Ms", round(p99));
        map.put("p999Ms", round(p999));
        map.put("maxMs", round(max));
        return map;
    }

    static Object round(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : Math.round(value * 100) / 100.0;
    }

    @Override
    public String toString() {
        return name + Arrays.asList(offeredRate, samples, lost, achievedRate, p50, p90, p99, p999, max);
    }
}
