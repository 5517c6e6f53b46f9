package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark suite behind docs/benchmarks.md and {@code tollgate bench}. On one broker, in one run: governed
 * decision latency at fixed rates (tool call produced → its decision consumed from the ledger, read_committed),
 * the same rates through the two baselines (raw produce → read_committed consume; a trivial exactly-once Streams
 * topology with a RocksDB store), maximum sustained throughput of the governed path and of the EOS baseline,
 * replay and verification throughput over the ledger the run produced, and the start-up time and RSS of
 * {@code tollgate dev}. Prints a table and writes the JSON report.
 *
 * <p>Writes {@code tollgate.commands.v1}, {@code tollgate.identities.v1}, {@code tollgate.policies.v1} (the
 * reference bundle, on the embedded stack or under a bench-only name) and the baseline topics
 * {@code tollgate-bench.*}; reads {@code tollgate.ledger.v1}.
 */
public final class Benchmark {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /** Agents of the http section, one tenant each: 100 calls/s stay within the bundle's per-agent limit. */
    private static final int HTTP_AGENTS = 20;
    /** Calls of each measurement of the decide section (at 1, 20 and 200 calls per run). */
    /** Calls per measurement of the {@code decide} section (and its warm-up); -Dtollgate.bench.decideCalls=N. */
    private static final int DECIDE_CALLS = Integer.getInteger("tollgate.bench.decideCalls", 4_000);

    private final BenchSettings settings;
    private final PrintWriter out;
    private String processorApplicationId;
    /**
     * Signs the commands the benchmark writes, as intake would: with the key file of TOLLGATE_COMMAND_KEYS_FILE (the
     * processor's command.keys.file, when it runs elsewhere) or a new key the processor started here is given.
     */
    private IntakeSigner signer;
    private final Map<String, Object> streamCpu = new LinkedHashMap<>();
    private final Map<String, Object> streamTime = new LinkedHashMap<>();

    private Benchmark(BenchSettings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs every section not skipped, prints the table to {@code out}, writes the JSON and returns it. */
    public static Map<String, Object> run(BenchSettings settings, PrintWriter out) throws Exception {
        return new Benchmark(settings, out).run();
    }

    private Map<String, Object> run() throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("machine", machine());
        report.put("settings", settingsMap());
        EmbeddedKafka embedded = null;
        PolicyProcessorApp processor = null;
        if (settings.runs("decide")) {
            say("CPU per decision of the processor's topology (TopologyTestDriver, no broker) ...");
            report.put("decide", DecisionCpu.measure(DECIDE_CALLS, DecisionCpu.callsPerRun(), out));
        }
        if (settings.runs("auth")) {
            say("CPU per command of signing and checking command proofs (no broker) ...");
            report.put("auth", VerificationCost.measure(report.get("decide"), out));
        }
        Path processorState = Files.createTempDirectory("tollgate-bench-processor");
        String keysFile = System.getenv("TOLLGATE_COMMAND_KEYS_FILE");
        signer = IntakeSigner.atFile(keysFile != null && !keysFile.isBlank() ? Path.of(keysFile)
                : processorState.resolve("command-keys"));
        if (List.of("raw", "eos", "governed", "throughput", "replay", "txn").stream().noneMatch(settings::runs)) {
            // Only the sections that bring their own stack (dev, http): no embedded broker.
            deleteQuietly(processorState);
            return standalone(report);
        }
        try {
            String bootstrap;
            String registryUrl;
            String bundle;
            if (settings.bootstrapServers().isEmpty()) {
                say("Starting the embedded broker and schema registry ...");
                embedded = EmbeddedKafka.builder().start();
                bootstrap = embedded.bootstrapServers();
                registryUrl = embedded.schemaRegistryUrl();
                bundle = "default";
            } else {
                bootstrap = settings.bootstrapServers().get();
                registryUrl = settings.schemaRegistryUrl();
                bundle = settings.startProcessor() ? "bench-" + System.currentTimeMillis() : null;
            }
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(registryUrl));
            String agentPrefix = "bench-" + Long.toString(System.currentTimeMillis(), 36);
            GovernedWorkload seedWorkload = workload(agentPrefix + "-seed", agentPrefix);
            try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(bootstrap, settings.lingerMs())) {
                GovernedLoad.seed(producer, serdes, seedWorkload, bundle);
            }
            if (embedded != null || settings.startProcessor()) {
                say("Starting the policy-processor (commit.interval.ms=" + settings.commitIntervalMs() + ") ...");
                processor = PolicyProcessorApp.start(processorConfig(bootstrap, registryUrl, bundle, processorState));
                awaitReady(processor);
            }
            int recordBytes = GovernedLoad.commandBytes(serdes, seedWorkload, signer);
            report.put("recordBytes", recordBytes);

            List<BenchResult> results = measure(bootstrap, serdes, agentPrefix, recordBytes);
            report.put("results", results.stream().map(BenchResult::toMap).toList());
            report.put("streamThreadCpuMicrosPerCall", streamCpu);
            report.put("streamThreadTimePerCall", streamTime);

            Map<String, Object> scan = Map.of();
            if (settings.runs("replay")) {
                say("Replaying and verifying the ledger ...");
                scan = LedgerScan.measure(bootstrap, serdes);
                report.put("replay", scan);
            }
            if (settings.runs("txn")) {
                say("Back-to-back transactions with offsets, by the producer's retry.backoff.ms ...");
                report.put("txn", TransactionBackoff.measure(bootstrap, out));
            }
            double replayRate = scan.get("replayInMemoryWarmPerSecond") instanceof Number n ? n.doubleValue()
                    : Double.NaN;
            List<Comparison> comparisons = Comparison.of(results, replayRate);
            report.put("comparisons", comparisons.stream().map(Comparison::toMap).toList());

            if (processor != null) {
                processor.close();
                processor = null;
            }
            if (embedded != null) {
                embedded.close();
                embedded = null;
            }
            Map<String, Object> dev = null;
            if (settings.runs("dev") && settings.devJar().isPresent()) {
                say("Timing tollgate dev (" + settings.devJar().get() + ") ...");
                dev = DevStartup.measure(settings.devJar().get(), List.of());
                report.put("dev", dev);
            }
            if (settings.runs("http") && settings.devJar().isPresent()) {
                say("HTTP end to end through tollgate dev (" + settings.devJar().get() + ") ...");
                report.put("http", HttpBench.measure(settings.devJar().get(), settings.httpRates(), HTTP_AGENTS,
                        settings.warmup(), settings.duration(), settings.drain(), out));
            }
            report.put("loadAverageAtEnd", loadAverage());
            report.put("finishedAt", Instant.now().toString());
            printTable(results, scan, comparisons, dev);
            write(report);
            return report;
        } finally {
            if (processor != null) {
                processor.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            deleteQuietly(processorState);
        }
    }

    private Map<String, Object> standalone(Map<String, Object> report) throws Exception {
        Map<String, Object> dev = null;
        if (settings.runs("dev") && settings.devJar().isPresent()) {
            say("Timing tollgate dev (" + settings.devJar().get() + ") ...");
            dev = DevStartup.measure(settings.devJar().get(), List.of());
            report.put("dev", dev);
        }
        if (settings.runs("http") && settings.devJar().isPresent()) {
            say("HTTP end to end through tollgate dev (" + settings.devJar().get() + ") ...");
            report.put("http", HttpBench.measure(settings.devJar().get(), settings.httpRates(), HTTP_AGENTS,
                    settings.warmup(), settings.duration(), settings.drain(), out));
        }
        report.put("loadAverageAtEnd", loadAverage());
        report.put("finishedAt", Instant.now().toString());
        printTable(List.of(), Map.of(), List.of(), dev);
        write(report);
        return report;
    }

    private List<BenchResult> measure(String bootstrap, TollgateSerdes serdes, String agentPrefix, int recordBytes)
            throws Exception {
        List<BenchResult> results = new ArrayList<>();
        EosBaseline eos = null;
        try {
            if (settings.runs("eos")) {
                say("Starting the exactly-once baseline topology ...");
                eos = EosBaseline.start(settings, bootstrap);
            }
            int measurement = 0;
            if (settings.prewarmCalls() > 0) {
                // JIT, CEL and RocksDB warm-up before anything is measured: every system gets the same lead-in.
                say("Warming up with " + settings.prewarmCalls() + " unmeasured calls per system ...");
                if (eos != null) {
                    progress(eos.throughput(settings, bootstrap, settings.prewarmCalls(), recordBytes));
                }
                if (settings.runs("governed")) {
                    progress(governedThroughput(bootstrap, serdes, workload(agentPrefix + "-warm", agentPrefix),
                            settings.prewarmCalls()));
                    // A warm-up the processor could not keep up with must not spill into the first measurement.
                    awaitProcessorIdle(bootstrap);
                }
            }
            for (double rate : settings.rates()) {
                Map<String, List<BenchResult>> repeats = new LinkedHashMap<>();
                for (int repeat = 0; repeat < settings.repeats(); repeat++) {
                    // Interleaved, so a noisy neighbour hurts every system alike.
                    if (settings.runs("raw")) {
                        repeats.computeIfAbsent("raw", k -> new ArrayList<>()).add(
                                progress(RawBaseline.run(settings, bootstrap, rate, recordBytes)));
                    }
                    if (eos != null) {
                        repeats.computeIfAbsent("eos", k -> new ArrayList<>()).add(
                                progress(eos.fixedRate(settings, bootstrap, rate, recordBytes)));
                    }
                    if (settings.runs("governed")) {
                        GovernedWorkload workload = workload(agentPrefix + "-m" + measurement++, agentPrefix);
                        repeats.computeIfAbsent("governed", k -> new ArrayList<>()).add(
                                progress(governed(bootstrap, serdes, workload, rate)));
                        awaitProcessorIdle(bootstrap);
                    }
                }
                repeats.values().forEach(list -> results.add(BenchResult.median(list)));
            }
            if (settings.runs("throughput") && settings.throughputCalls() > 0) {
                if (eos != null) {
                    long cpu = StreamThreadCpu.nanos(eos.applicationId());
                    StreamThreadTime time = StreamThreadTime.snapshot(eos.applicationId());
                    results.add(progress(eos.throughput(settings, bootstrap, settings.throughputCalls(),
                            recordBytes)));
                    cpuPerCall("baseline-eos-max", StreamThreadCpu.nanos(eos.applicationId()) - cpu);
                    timePerCall("baseline-eos-max", StreamThreadTime.snapshot(eos.applicationId()), time);
                }
                if (settings.runs("governed")) {
                    GovernedWorkload workload = workload(agentPrefix + "-max", agentPrefix);
                    long cpu = StreamThreadCpu.nanos(processorApplicationId);
                    StreamThreadTime time = StreamThreadTime.snapshot(processorApplicationId);
                    results.add(progress(governedThroughput(bootstrap, serdes, workload, settings.throughputCalls())));
                    awaitProcessorIdle(bootstrap);
                    cpuPerCall("governed-max", StreamThreadCpu.nanos(processorApplicationId) - cpu);
                    timePerCall("governed-max", StreamThreadTime.snapshot(processorApplicationId), time);
                }
            }
        } finally {
            if (eos != null) {
                eos.close();
            }
        }
        return results;
    }

    /**
     * Stream-thread CPU per tool call of a throughput run: the figure least moved by the neighbours' load. For the
     * governed path it includes the call's share of its run's admission and finish.
     */
    private void cpuPerCall(String name, long nanos) {
        if (nanos <= 0) {
            return;
        }
        double micros = nanos / 1000.0 / settings.throughputCalls();
        streamCpu.put(name, Math.round(micros * 10) / 10.0);
        say(String.format(Locale.ROOT, "  %-17s stream-thread CPU %.1f us per call", name, micros));
    }

    /**
     * Where the stream threads' wall time went in a throughput run, per call (Kafka's own metrics, see
     * {@link StreamThreadTime}): blocked on the commit's flush, offsets and end, and how many calls a commit carried.
     */
    private void timePerCall(String name, StreamThreadTime after, StreamThreadTime before) {
        Map<String, Double> time = after.perCallSince(before, settings.throughputCalls());
        streamTime.put(name, time);
        say(String.format(Locale.ROOT, "  %-17s blocked %.1f us per call (flush %.1f, offsets %.1f, commit %.1f); "
                        + "%.0f commits of %.1f calls, %.2f ms each; %.2f records sent per call",
                name, time.get("blockedMicros"), time.get("flushMicros"), time.get("sendOffsetsMicros"),
                time.get("commitTxnMicros"), time.get("commits"), time.get("callsPerCommit"),
                time.get("commitMillis"), time.get("recordsSentPerCall")));
    }

    private BenchResult governed(String bootstrap, TollgateSerdes serdes, GovernedWorkload workload, double rate)
            throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(bootstrap, settings.lingerMs());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            return FixedRateRun.run("governed", rate, settings.warmup(), settings.duration(), settings.drain(),
                    new GovernedLoad(workload, producer, serdes, signer), consumer, Topics.LEDGER.name());
        }
    }

    private BenchResult governedThroughput(String bootstrap, TollgateSerdes serdes, GovernedWorkload workload,
                                           int calls) throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(bootstrap, 5);
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            return FixedRateRun.throughput("governed-max", calls,
                    settings.drain().multipliedBy(4), new GovernedLoad(workload, producer, serdes, signer), consumer,
                    Topics.LEDGER.name());
        }
    }

    /**
     * After an overloaded run, waits (up to 5 minutes) until the processor this benchmark started has read every
     * command, so its backlog does not spill into the next measurement.
     */
    private void awaitProcessorIdle(String bootstrap) throws Exception {
        if (processorApplicationId == null) {
            return;
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        processorApplicationId).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < Topics.COMMANDS.partitions(); p++) {
                    latest.put(new TopicPartition(Topics.COMMANDS.name(), p), OffsetSpec.latest());
                }
                long lag = 0;
                for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                    OffsetAndMetadata done = committed.get(end.getKey());
                    lag += end.getValue().offset() - (done == null ? 0 : done.offset());
                }
                if (lag <= 0) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            say("  (the processor still has a backlog after 5 minutes)");
        }
    }

    private GovernedWorkload workload(String prefix, String agentPrefix) {
        return new GovernedWorkload(prefix, agentPrefix, settings.agents(), settings.concurrentRuns(),
                settings.callsPerRun());
    }

    private PolicyProcessorConfig processorConfig(String bootstrap, String registryUrl, String bundle, Path state) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("schema.registry.url", registryUrl);
        processorApplicationId = "tollgate-bench-policy-processor-" + System.currentTimeMillis();
        config.put("application.id", processorApplicationId);
        config.put("policy.bundle", bundle);
        config.put("state.dir", state.toString());
        config.put("command.keys.file", signer.keyFile().toString());
        config.put("commit.interval.ms", Long.toString(settings.commitIntervalMs()));
        settings.streamsOverrides().forEach((key, value) -> config.put("streams." + key, value));
        return PolicyProcessorConfig.from(config);
    }

    private static void awaitReady(PolicyProcessorApp processor) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!processor.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the policy-processor is not RUNNING after " + READY_TIMEOUT
                        + ": " + processor.state());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private BenchResult progress(BenchResult result) {
        say(String.format(Locale.ROOT, "  %-17s %6.0f/s  %s", result.name(), result.offeredRate(),
                result.offeredRate() > 0 ? String.format(Locale.ROOT, "p50 %.2f  p99 %.2f ms, %d lost",
                        result.p50(), result.p99(), result.lost())
                        : String.format(Locale.ROOT, "%.0f/s, %d lost", result.achievedRate(), result.lost())));
        return result;
    }

    private void printTable(List<BenchResult> results, Map<String, Object> scan, List<Comparison> comparisons,
                            Map<String, Object> dev) {
        out.println();
        out.println(String.format(Locale.ROOT, "%-17s %9s %9s %6s %10s %8s %8s %8s %8s %8s", "measurement",
                "offered/s", "samples", "lost", "achieved/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
        for (BenchResult r : results) {
            out.println(String.format(Locale.ROOT, "%-17s %9s %9d %6d %10.0f %8s %8s %8s %8s %8s", r.name(),
                    r.offeredRate() > 0 ? String.format(Locale.ROOT, "%.0f", r.offeredRate()) : "max", r.samples(),
                    r.lost(), r.achievedRate(), ms(r.p50()), ms(r.p90()), ms(r.p99()), ms(r.p999()), ms(r.max())));
        }
        if (!streamCpu.isEmpty()) {
            out.println();
            streamCpu.forEach((key, value) -> out.println(String.format(Locale.ROOT,
                    "  %-30s %s us stream-thread CPU per call", key, value)));
        }
        if (!scan.isEmpty()) {
            out.println();
            scan.forEach((key, value) -> out.println(String.format(Locale.ROOT, "  %-30s %s", key, value)));
        }
        if (dev != null) {
            out.println();
            dev.forEach((key, value) -> out.println(String.format(Locale.ROOT, "  dev %-26s %s", key, value)));
        }
        out.println();
        for (Comparison c : comparisons) {
            out.println(String.format(Locale.ROOT, "  %-48s %10.2f  target %8s  %s", c.name(), c.value(),
                    Double.isNaN(c.target()) ? "-" : (c.higherIsBetter() ? ">= " : "<= ")
                            + String.format(Locale.ROOT, "%.2f", c.target()),
                    c.met().map(met -> met ? "met" : "MISSED").orElse("")));
        }
        out.println();
        out.println("JSON report: " + settings.output().toAbsolutePath());
        out.flush();
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private void write(Map<String, Object> report) throws IOException {
        Path output = settings.output().toAbsolutePath();
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(output.toFile(), report);
    }

    private Map<String, Object> settingsMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("target", settings.bootstrapServers().orElse("embedded"));
        map.put("rates", settings.rates());
        map.put("warmupS", settings.warmup().toMillis() / 1000.0);
        map.put("durationS", settings.duration().toMillis() / 1000.0);
        map.put("repeats", settings.repeats());
        map.put("agents", settings.agents());
        map.put("concurrentRuns", settings.concurrentRuns());
        map.put("callsPerRun", settings.callsPerRun());
        map.put("throughputCalls", settings.throughputCalls());
        map.put("prewarmCalls", settings.prewarmCalls());
        map.put("commitIntervalMs", settings.commitIntervalMs());
        map.put("lingerMs", settings.lingerMs());
        map.put("streamsOverrides", settings.streamsOverrides());
        map.put("skip", settings.skip());
        map.put("httpRates", settings.httpRates());
        return map;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cpus", Runtime.getRuntime().availableProcessors());
        map.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        map.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        map.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        map.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        map.put("loadAverageAtStart", loadAverage());
        return map;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static void deleteQuietly(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }
}
