package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the benchmark: percentiles, the pacing schedule, medians of repeats, ratios and targets. */
class BenchMathTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        Latencies latencies = new Latencies();
        for (int i = 100; i >= 1; i--) {
            latencies.record(i * 1_000_000L);
        }
        assertThat(latencies.count()).isEqualTo(100);
        assertThat(latencies.percentileMillis(50)).isEqualTo(50.0);
        assertThat(latencies.percentileMillis(99)).isEqualTo(99.0);
        assertThat(latencies.percentileMillis(99.9)).isEqualTo(100.0);
        assertThat(latencies.maxMillis()).isEqualTo(100.0);
        assertThat(latencies.percentileMillis(1)).isEqualTo(1.0);
    }

    @Test
    void percentilesOfNothingAreNaNAndSamplesBeyondTheFirstArrayAreKept() {
        Latencies latencies = new Latencies();
        assertThat(latencies.percentileMillis(99)).isNaN();
        for (int i = 0; i < 40_000; i++) {
            latencies.record(i == 39_999 ? 7_000_000_000L : 1_000_000L);
        }
        assertThat(latencies.count()).isEqualTo(40_000);
        assertThat(latencies.maxMillis()).isEqualTo(7_000.0);
        assertThat(latencies.percentileMillis(99.9)).isEqualTo(1.0);
    }

    @Test
    void pacerScheduleIsAbsoluteAndEvenWithoutDrift() {
        Pacer pacer = new Pacer(3, 1_000L);
        assertThat(pacer.due(0)).isEqualTo(1_000L);
        assertThat(pacer.due(1)).isEqualTo(1_000L + 333_333_333L);
        assertThat(pacer.due(3_000)).isEqualTo(1_000L + 1_000_000_000_000L);
        assertThatThrownBy(() -> new Pacer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void repeatsAreSummarisedByTheirMedianFieldByField() {
        BenchResult a = new BenchResult("governed", 1000, 100, 0, 990, 5, 8, 20, 30, 40);
        BenchResult b = new BenchResult("governed", 1000, 100, 2, 1000, 7, 9, 10, 31, 90);
        BenchResult c = new BenchResult("governed", 1000, 100, 1, 995, 6, 10, 15, 29, 41);
        BenchResult median = BenchResult.median(List.of(a, b, c));
        assertThat(median.samples()).isEqualTo(300);
        assertThat(median.lost()).isEqualTo(3);
        assertThat(median.p50()).isEqualTo(6);
        assertThat(median.p99()).isEqualTo(15);
        assertThat(median.max()).isEqualTo(41);
        assertThat(BenchResult.median(List.of(a, b)).p99()).isEqualTo(15);
    }

    @Test
    void comparesGovernedWithBaselinesAgainstTheIssueTargets() {
        List<BenchResult> results = List.of(
                new BenchResult("baseline-raw", 1000, 1, 0, 1000, 2, 3, 4, 5, 6),
                new BenchResult("baseline-eos", 1000, 1, 0, 1000, 20, 30, 40, 50, 60),
                new BenchResult("governed", 1000, 1, 0, 1000, 30, 40, 60, 70, 80),
                new BenchResult("governed", 100, 1, 0, 100, 5, 6, 8, 9, 9),
                BenchResult.throughput("baseline-eos-max", 10, 0, 5000),
                BenchResult.throughput("governed-max", 10, 0, 3500));
        List<Comparison> comparisons = Comparison.of(results, 150_000);

        assertThat(find(comparisons, "p99 governed / eos @ 1000/s").value()).isCloseTo(1.5, within(1e-9));
        assertThat(find(comparisons, "p99 governed / eos @ 1000/s").met()).contains(false);
        assertThat(find(comparisons, "p50 governed / eos @ 1000/s").met()).isEmpty();
        assertThat(find(comparisons, "p99 governed / raw @ 1000/s").value()).isCloseTo(15, within(1e-9));
        assertThat(find(comparisons, "max throughput governed / eos").value()).isCloseTo(0.7, within(1e-9));
        assertThat(find(comparisons, "max throughput governed / eos").met()).contains(true);
        assertThat(find(comparisons, "replay events/s").met()).contains(true);
        assertThat(find(comparisons, "p99 ms governed vs SQLite library @ 100/s").met()).contains(true);
        assertThat(find(comparisons, "p99 ms governed vs SQLite library (WAL) @ 100/s").met()).contains(true);
        assertThat(comparisons).noneMatch(c -> c.name().contains("@ 100/s") && c.name().contains("/ eos"));
        assertThat(Comparison.ratio(1, 0)).isNaN();
    }

    @Test
    void readsResidentSetSizeFromProcStatus() {
        assertThat(DevStartup.parseVmRssMb("VmRSS:\t  524288 kB")).contains(512.0);
        assertThat(DevStartup.parseVmRssMb("VmHWM:\t  524288 kB")).isEmpty();
    }

    private static Comparison find(List<Comparison> comparisons, String name) {
        return comparisons.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no comparison " + name + " in " + comparisons));
    }
}
