package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A governed ÷ baseline ratio, or a measured number, against the target the issue sets for it.
 *
 * @param name           what is compared
 * @param value          the measured ratio or number
 * @param target         the target, NaN when there is none (the ratio is reported for information)
 * @param higherIsBetter whether the value must reach the target from below (throughput) or stay under it (latency)
 */
record Comparison(String name, double value, double target, boolean higherIsBetter) {

    /** p99 of the in-process governance library on a local SQLite file, measured on the reference machine. */
    static final double SQLITE_P99_MS = 18.6;
    /** The same library with SQLite's write-ahead log. */
    static final double SQLITE_WAL_P99_MS = 8.2;

    /** Met, missed, or empty without a target or a value. */
    Optional<Boolean> met() {
        if (Double.isNaN(target) || Double.isNaN(value)) {
            return Optional.empty();
        }
        return Optional.of(higherIsBetter ? value >= target : value <= target);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("value", BenchResult.round(value));
        map.put("target", BenchResult.round(target));
        map.put("met", met().orElse(null));
        return map;
    }

    /** Ratio a ÷ b; NaN when either is missing or b is zero. */
    static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    /**
     * The comparisons of one report: at every rate measured on both sides, governed ÷ EOS baseline p50 and p99
     * (target p99 ≤ 1.25× at 1,000 calls/s) and governed ÷ raw p99; governed ÷ EOS maximum throughput (target
     * ≥ 0.6); replay events/s (target ≥ 100,000); and at 100 calls/s or less, governed p99 against the SQLite
     * library's.
     *
     * @param results       medians of the fixed-rate and throughput runs, by name {@code governed},
     *                      {@code baseline-raw}, {@code baseline-eos}, {@code governed-max}, {@code baseline-eos-max}
     * @param replayPerSecond replay throughput in events/s, NaN when not measured
     */
    static List<Comparison> of(List<BenchResult> results, double replayPerSecond) {
        List<Comparison> out = new ArrayList<>();
        for (BenchResult governed : results) {
            if (!governed.name().equals("governed")) {
                continue;
            }
            double rate = governed.offeredRate();
            String at = " @ " + Math.round(rate) + "/s";
            find(results, "baseline-eos", rate).ifPresent(eos -> {
                out.add(new Comparison("p50 governed / eos" + at, ratio(governed.p50(), eos.p50()), Double.NaN,
                        false));
                out.add(new Comparison("p99 governed / eos" + at, ratio(governed.p99(), eos.p99()),
                        rate == 1000 ? 1.25 : Double.NaN, false));
            });
            find(results, "baseline-raw", rate).ifPresent(raw -> out.add(new Comparison("p99 governed / raw" + at,
                    ratio(governed.p99(), raw.p99()), Double.NaN, false)));
            if (rate <= 100) {
                out.add(new Comparison("p99 ms governed vs SQLite library" + at, governed.p99(), SQLITE_P99_MS,
                        false));
                out.add(new Comparison("p99 ms governed vs SQLite library (WAL)" + at, governed.p99(),
                        SQLITE_WAL_P99_MS, false));
            }
        }
        Optional<BenchResult> governedMax = find(results, "governed-max", 0);
        Optional<BenchResult> eosMax = find(results, "baseline-eos-max", 0);
        if (governedMax.isPresent() && eosMax.isPresent()) {
            out.add(new Comparison("max throughput governed / eos", ratio(governedMax.get().achievedRate(),
                    eosMax.get().achievedRate()), 0.6, true));
        }
        if (!Double.isNaN(replayPerSecond)) {
            out.add(new Comparison("replay events/s", replayPerSecond, 100_000, true));
        }
        return out;
    }

    private static Optional<BenchResult> find(List<BenchResult> results, String name, double rate) {
        return results.stream().filter(r -> r.name().equals(name) && r.offeredRate() == rate).findFirst();
    }
}
