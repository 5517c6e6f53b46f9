package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.projector.ProjectorApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the read side over a ledger of a given size, on a fresh embedded broker: writes {@code events}
 * ledger events (the runs of {@link ReadSideStartup}: 20 events each, valid hash chains) to
 * {@code tollgate.ledger.v1}, then measures replay and verification from Kafka and in memory ({@link LedgerScan},
 * the code of {@code tollgate ledger replay|verify}) and the projector's catch-up: a first start on an empty state
 * directory, events per second from RUNNING until the view of the last run written is complete.
 *
 * <p>{@code ReadSideThroughput EVENTS} prints the JSON report. Reads and writes what {@link ReadSideStartup} does.
 */
public final class ReadSideThroughput {

    private static final Duration CATCH_UP_TIMEOUT =
            Duration.ofMinutes(Long.getLong("tollgate.bench.catchUpMinutes", 30));

    private ReadSideThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("loadAverageAtStart", loadAverage());
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
            long start = System.nanoTime();
            String lastRun = ReadSideStartup.write(kafka, serdes, events);
            report.put("ledgerEvents", events);
            report.put("writeLedgerMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            if (!Boolean.getBoolean("tollgate.bench.skipReplay")) {
                report.put("replay", LedgerScan.measure(kafka.bootstrapServers(), serdes));
            }
            if (!Boolean.getBoolean("tollgate.bench.skipProjector")) {
                report.put("projector", catchUp(kafka, lastRun, events));
            }
        }
        report.put("loadAverageAtEnd", loadAverage());
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.exit(0);
    }

    private static Map<String, Object> catchUp(EmbeddedKafka kafka, String lastRun, long events) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Path state = Files.createTempDirectory("tollgate-bench-projector");
        String appId = "tollgate-bench-projector-" + Long.toString(System.currentTimeMillis(), 36);
        try {
            long start = System.nanoTime();
            try (ProjectorApp projector = ProjectorApp.start(ReadSideStartup.projectorConfig(kafka, state, appId))) {
                ReadSideStartup.awaitReady(projector);
                long running = System.nanoTime();
                out.put("readyMs", TimeUnit.NANOSECONDS.toMillis(running - start));
                boolean caughtUp = ReadSideStartup.awaitRun(projector, lastRun, CATCH_UP_TIMEOUT);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - running);
                out.put("caughtUp", caughtUp);
                out.put("catchUpMs", millis);
                // Until the last run is complete: an upper bound of the time the whole ledger took, from RUNNING.
                out.put("eventsPerSecond", caughtUp && millis > 0 ? Math.round(events * 1000.0 / millis) : null);
            }
        } finally {
            try (var paths = Files.walk(state)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory; the OS cleans it
            }
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
