package dev.tollgate.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the benchmark report: what was measured, at which offered rate, and what came out.
 *
 * @param name        the measurement, e.g. {@code governed-decision}, {@code baseline-raw}, {@code baseline-eos}
 * @param offeredRate calls per second offered (0 for throughput runs that go as fast as they can)
 * @param samples     completed operations measured
 * @param achievedRate operations per second completed in the measured window
 * @param p50 latency percentiles in milliseconds (NaN for pure throughput runs)
 */
record BenchResult(String name, double offeredRate, long samples, double achievedRate,
                   double p50, double p90, double p99, double p999, double max) {

    static BenchResult of(String name, double offeredRate, Latencies latencies, double achievedRate) {
        return new BenchResult(name, offeredRate, latencies.count(), achievedRate,
                latencies.percentileMillis(50), latencies.percentileMillis(90), latencies.percentileMillis(99),
                latencies.percentileMillis(99.9), latencies.maxMillis());
    }

    static BenchResult throughput(String name, long samples, double perSecond) {
        return new BenchResult(name, 0, samples, perSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("offeredRate", offeredRate);
        map.put("samples", samples);
        map.put("achievedRate", round(achievedRate));
        map.put("p50Ms", round(p50));
        map.put("p90Ms", round(p90));
        map.put("p99Ms", round(p99));
        map.put("p999Ms", round(p999));
        map.put("maxMs", round(max));
        return map;
    }

    private static Object round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
