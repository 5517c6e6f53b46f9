package dev.tollgate.bench;

import dev.tollgate.events.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code tollgate bench} was asked for. Without {@code bootstrapServers} the benchmark starts an embedded
 * broker, the schema registry and a policy-processor in its own JVM.
 *
 * @param bootstrapServers  a cluster to measure, or empty for the embedded stack
 * @param schemaRegistryUrl the cluster's registry (with {@code bootstrapServers})
 * @param startProcessor    start a policy-processor in this JVM (always with the embedded stack)
 * @param rates             offered tool calls per second of the fixed-rate runs, for governed and baselines alike
 * @param warmup            unmeasured lead-in of each fixed-rate run
 * @param duration          measured time of each fixed-rate run
 * @param drain             how long to wait for the last answers after the last send
 * @param repeats           fixed-rate runs per rate and system; the report quotes medians
 * @param agents            distinct agents of the governed workload
 * @param concurrentRuns    runs in flight at once
 * @param callsPerRun       tool calls per run (the reference bundle grants 20)
 * @param throughputCalls   calls sent back to back for the maximum-throughput runs (0 skips them)
 * @param prewarmCalls      unmeasured calls sent through the EOS baseline and the governed path before measuring
 * @param commitIntervalMs  exactly-once commit interval of the processor and the EOS baseline
 * @param lingerMs          linger.ms of the load generator's producers
 * @param streamsOverrides  Kafka Streams properties applied to the processor and the EOS baseline alike
 * @param skip              sections not to run: raw, eos, governed, throughput, replay, txn, dev, http, decide, auth
 * @param devJar            the tollgate jar whose {@code dev} start-up is timed, if any
 * @param output            where the JSON report is written
 * @param httpRates         offered tool calls per second of the {@code http} section (through {@code tollgate dev})
 */
public record BenchSettings(Optional<String> bootstrapServers, String schemaRegistryUrl, boolean startProcessor,
                            List<Double> rates, Duration warmup, Duration duration, Duration drain, int repeats,
                            int agents, int concurrentRuns, int callsPerRun, int throughputCalls,
                            int prewarmCalls, long commitIntervalMs, int lingerMs,
                            Map<String, String> streamsOverrides, Set<String> skip, Optional<Path> devJar,
                            Path output, List<Double> httpRates) {

    /** The sections {@code skip} may name. */
    public static final Set<String> SECTIONS = Set.of("raw", "eos", "governed", "throughput", "replay", "txn", "dev",
            "http", "decide", "auth");

    public BenchSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        rates = List.copyOf(rates);
        httpRates = List.copyOf(httpRates);
        streamsOverrides = Map.copyOf(streamsOverrides);
        skip = Set.copyOf(skip);
        if (rates.stream().anyMatch(r -> !(r > 0)) || httpRates.stream().anyMatch(r -> !(r > 0)) || repeats < 1 || agents < 1 || concurrentRuns < 1
                || callsPerRun < 1 || callsPerRun > 20 || throughputCalls < 0 || prewarmCalls < 0
                || commitIntervalMs < 0 || lingerMs < 0) {
            throw new IllegalArgumentException("invalid benchmark settings: rates must be positive, repeats, agents "
                    + "and runs at least 1, calls per run 1..20");
        }
        if (!SECTIONS.containsAll(skip)) {
            throw new IllegalArgumentException("--skip takes " + SECTIONS + ", not " + skip);
        }
    }

    /** Defaults: embedded stack; 200, 1,000 and 5,000 calls/s; 5 s warm-up, 20 s measured, once. */
    public static BenchSettings defaults() {
        return new BenchSettings(Optional.empty(), "http://localhost:8081", true, List.of(200.0, 1000.0, 5000.0),
                Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30), 1, 50, 200, 18, 20_000, 5_000,
                10, 0, Map.of(), Set.of(), Optional.empty(), Path.of("bench-results.json"),
                List.of(100.0));
    }

    boolean runs(String section) {
        return !skip.contains(section);
    }

    /** Partitions of the baseline topics: the run-keyed topics' count, so both sides have the same parallelism. */
    int partitions() {
        return Topics.RUN_PARTITIONS;
    }
}
