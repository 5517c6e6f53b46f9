package dev.tollgate.launcher;

import dev.tollgate.bench.BenchSettings;
import dev.tollgate.bench.Benchmark;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate bench}: the benchmark suite of docs/benchmarks.md. Without {@code --bootstrap-servers} it starts
 * an embedded broker, schema registry and policy-processor in this JVM; with it, it measures that cluster (and a
 * policy-processor there, or one it starts with {@code --start-processor}). Prints a table and writes JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures governed decision latency and throughput against Kafka-only and exactly-once "
                + "baselines, replay and verify throughput, and tollgate dev start-up; prints a table, writes JSON.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "A cluster to measure (default: an embedded broker started in this JVM).")
    private String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", defaultValue = "http://localhost:8081",
            description = "The cluster's schema registry (with --bootstrap-servers; default: ${DEFAULT-VALUE}).")
    private String schemaRegistryUrl;

    @Option(names = "--start-processor",
            description = "With --bootstrap-servers: start a policy-processor in this JVM, deciding with the "
                    + "reference bundle published under a bench-only name (default: use the cluster's).")
    private boolean startProcessor;

    @Option(names = "--rates", split = ",", paramLabel = "CALLS_PER_S", defaultValue = "200,1000,5000",
            description = "Offered tool calls per second of the fixed-rate runs (default: ${DEFAULT-VALUE}).")
    private List<Double> rates;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
            description = "Unmeasured warm-up of each fixed-rate run (default: ${DEFAULT-VALUE}).")
    private double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20",
            description = "Measured time of each fixed-rate run (default: ${DEFAULT-VALUE}).")
    private double durationSeconds;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the last answers (default: ${DEFAULT-VALUE}).")
    private double drainSeconds;

    @Option(names = "--repeats", defaultValue = "1",
            description = "Runs per rate and system; the report quotes medians (default: ${DEFAULT-VALUE}).")
    private int repeats;

    @Option(names = "--agents", defaultValue = "50", description = "Distinct agents (default: ${DEFAULT-VALUE}).")
    private int agents;

    @Option(names = "--runs", defaultValue = "200",
            description = "Runs in flight at once (default: ${DEFAULT-VALUE}).")
    private int concurrentRuns;

    @Option(names = "--calls-per-run", defaultValue = "18",
            description = "Tool calls per run, 1..20 (default: ${DEFAULT-VALUE}).")
    private int callsPerRun;

    @Option(names = "--throughput-calls", defaultValue = "20000",
            description = "Calls sent back to back for the maximum-throughput runs; 0 skips them "
                    + "(default: ${DEFAULT-VALUE}).")
    private int throughputCalls;

    @Option(names = "--prewarm-calls", defaultValue = "5000",
            description = "Unmeasured calls through the EOS baseline and the governed path before measuring "
                    + "(JIT, CEL, RocksDB warm-up; default: ${DEFAULT-VALUE}).")
    private int prewarmCalls;

    @Option(names = "--commit-interval-ms", defaultValue = "10",
            description = "Exactly-once commit interval of the processor and the EOS baseline "
                    + "(default: ${DEFAULT-VALUE}).")
    private long commitIntervalMs;

    @Option(names = "--linger-ms", defaultValue = "0",
            description = "linger.ms of the load generator's producers (default: ${DEFAULT-VALUE}).")
    private int lingerMs;

    @Option(names = "--streams-config", paramLabel = "KEY=VALUE",
            description = "A Kafka Streams property for the processor and the EOS baseline alike, e.g. "
                    + "producer.linger.ms=0 or consumer.fetch.max.wait.ms=5; repeatable.")
    private Map<String, String> streamsConfig = new LinkedHashMap<>();

    @Option(names = "--skip", split = ",", paramLabel = "SECTION",
            description = "Sections not to run: raw, eos, governed, throughput, replay, txn, dev, http, decide, auth.")
    private Set<String> skip = Set.of();

    @Option(names = "--http-rates", split = ",", paramLabel = "CALLS_PER_S",
            description = "Offered tool calls per second of the http section, through tollgate dev's HTTP API "
                    + "(default: 100).")
    private List<Double> httpRates = List.of(100.0);

    @Option(names = "--dev-jar", paramLabel = "JAR",
            description = "The tollgate jar whose 'dev' start-up and RSS are measured (default: this jar).")
    private Path devJar;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "bench-results.json",
            description = "The JSON report (default: ${DEFAULT-VALUE}).")
    private Path output;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = new BenchSettings(Optional.ofNullable(bootstrapServers), schemaRegistryUrl,
                startProcessor || bootstrapServers == null, rates, seconds(warmupSeconds), seconds(durationSeconds),
                seconds(drainSeconds), repeats, agents, concurrentRuns, callsPerRun, throughputCalls,
                prewarmCalls, commitIntervalMs, lingerMs, streamsConfig, skip,
                Optional.ofNullable(devJar).or(BenchCommand::thisJar), output, httpRates);
        Benchmark.run(settings, spec.commandLine().getOut());
        return 0;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** The jar this command runs from, when it runs from one. */
    private static Optional<Path> thisJar() {
        try {
            Path location = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) && location.toString().endsWith(".jar") ? Optional.of(location)
                    : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
