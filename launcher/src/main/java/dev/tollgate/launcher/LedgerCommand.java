package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.Json;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.projector.replay.LedgerReplay;
import dev.tollgate.projector.verify.LedgerReader;
import dev.tollgate.projector.verify.LedgerReport;
import dev.tollgate.projector.verify.LedgerVerifier;
import dev.tollgate.projector.verify.RunVerification;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate ledger verify|replay|tail}: operator tools over tollgate.ledger.v1, read as raw bytes.
 * Verification and replay use the projector's own code ({@link LedgerVerifier}, {@link LedgerFold}), so
 * their answers are those of {@code GET /v1/runs/{runId}/verify} and {@code GET /v1/runs/{runId}}.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Verify, replay or follow the ledger.",
        subcommands = {LedgerCommand.Verify.class, LedgerCommand.Replay.class, LedgerCommand.Tail.class})
public final class LedgerCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: verify, replay or tail");
    }

    /** Connection options shared by the subcommands (a picocli mixin): the operator tools' {@link ClusterOptions}. */
    static final class Connection {
        @CommandLine.Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Option(names = "--timeout", defaultValue = "PT60S",
                description = "Bound of a read to the end of the ledger, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        TollgateSerdes serdes() {
            return cluster.serdes();
        }

        LedgerReader reader() {
            return new LedgerReader(cluster.bootstrapServers(), cluster.clientConfigFileProperties(), timeout);
        }
    }

    /** {@code tollgate ledger verify [--run ID]}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute every run's hash chain from the raw ledger bytes and check every receipt "
                    + "signature against tollgate.gateway-keys.v1.",
                    "Prints {runs, events, valid, broken: [{runId, seq, reason}]}; exits 1 when anything is broken, "
                            + "or when --run names a run the ledger does not have."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Connection connection;

        @Option(names = "--run", description = "Verify only this run.")
        String runId;

        @Override
        public Integer call() {
            TollgateSerdes serdes = connection.serdes();
            LedgerReport report;
            try (LedgerReader reader = connection.reader()) {
                Map<String, GatewayKey> keys = reader.gatewayKeys(serdes.value(Topics.GATEWAY_KEYS).deserializer());
                LedgerVerifier verifier = LedgerVerifier.of(serdes, keyId -> Optional.ofNullable(keys.get(keyId)));
                if (runId != null) {
                    RunVerification result = verifier.verifyRun(runId, reader.readRunPartition(runId));
                    if (result.events() == 0) {
                        spec.commandLine().getErr().println("tollgate: no run " + runId + " on "
                                + Topics.LEDGER.name() + " (nothing to verify)");
                        return 1;
                    }
                    report = new LedgerReport(result.events() > 0 ? 1 : 0, result.events(), result.valid(),
                            result.valid() ? List.of()
                                    : List.of(new LedgerReport.Broken(runId, result.firstBrokenSeq(),
                                    result.reason())));
                } else {
                    LedgerVerifier.AllRuns all = verifier.allRuns();
                    reader.readAll(all::accept);
                    report = all.report();
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.write(report));
            out.flush();
            return report.valid() ? 0 : 1;
        }
    }

    /** {@code tollgate ledger replay --from-offset P:O | --from-timestamp ISO [--until ISO] [--run ID]}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Rebuild run views from the ledger with the projector's projection and print one JSON "
                    + "object per run, the shape of GET /v1/runs/{runId}.",
                    "--from-offset P:O starts partition P at offset O (only that partition); --from-offset O starts "
                            + "every partition (or, with --run, the run's partition) at offset O."})
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Connection connection;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Start start;

        @Option(names = "--until", description = "Ignore records with a timestamp after this instant (ISO-8601).")
        String until;

        @Option(names = "--run", description = "Replay only this run.")
        String runId;

        static final class Start {
            @Option(names = "--from-offset", required = true, paramLabel = "P:O|O")
            String fromOffset;

            @Option(names = "--from-timestamp", required = true, paramLabel = "ISO")
            String fromTimestamp;
        }

        @Override
        public Integer call() {
            Instant untilTime = until == null ? null : instant("--until", until);
            TollgateSerdes serdes = connection.serdes();
            LedgerReplay replay = new LedgerReplay(LedgerReplay.decoder(serdes), runId);
            try (LedgerReader reader = connection.reader()) {
                reader.read(startOffsets(reader), untilTime, replay::accept);
            }
            PrintWriter out = spec.commandLine().getOut();
            for (RunView view : replay.views().values()) {
                out.println(Json.write(view));
            }
            out.flush();
            if (replay.undecodable() > 0) {
                spec.commandLine().getErr().println(replay.undecodable() + " undecodable ledger records skipped");
                spec.commandLine().getErr().flush();
            }
            return 0;
        }

        private Map<TopicPartition, Long> startOffsets(LedgerReader reader) {
            List<TopicPartition> partitions = runId == null ? reader.ledgerPartitions()
                    : reader.partitionOfRun(runId).map(List::of).orElse(List.of());
            Map<TopicPartition, Long> from = new HashMap<>();
            if (start.fromTimestamp != null) {
                Map<TopicPartition, Long> at = reader.offsetsAt(instant("--from-timestamp", start.fromTimestamp));
                partitions.forEach(tp -> from.put(tp, at.getOrDefault(tp, 0L)));
                return from;
            }
            String value = start.fromOffset.trim();
            int colon = value.indexOf(':');
            try {
                if (colon < 0) {
                    long offset = Long.parseLong(value);
                    partitions.forEach(tp -> from.put(tp, offset));
                } else {
                    int partition = Integer.parseInt(value.substring(0, colon));
                    long offset = Long.parseLong(value.substring(colon + 1));
                    TopicPartition tp = new TopicPartition(Topics.LEDGER.name(), partition);
                    if (!reader.ledgerPartitions().contains(tp)) {
                        throw bad("--from-offset: the ledger has no partition " + partition);
                    }
                    from.put(tp, offset);
                }
            } catch (NumberFormatException e) {
                throw bad("--from-offset must be PARTITION:OFFSET or OFFSET, was " + start.fromOffset);
            }
            return from;
        }

        private Instant instant(String option, String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw bad(option + " must be an ISO-8601 instant such as 2026-03-01T10:00:00Z, was " + value);
            }
        }

        private CommandLine.ParameterException bad(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** {@code tollgate ledger tail [--run ID]}. */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Print ledger events as JSON lines as they are committed: "
                    + "{runId, seq, type, occurredAt, prevHash, hash, payload}.")
    static final class Tail implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Connection connection;

        @Option(names = "--run", description = "Only this run's events.")
        String runId;

        @Option(names = "--from-beginning", description = "Start at the beginning of the ledger, not its end.")
        boolean fromBeginning;

        @Option(names = "--max-events", defaultValue = "0",
                description = "Exit after printing this many events (0: follow until stopped).")
        long maxEvents;

        @Override
        public Integer call() {
            TollgateSerdes serdes = connection.serdes();
            Deserializer<LedgerEvent> decoder = serdes.value(Topics.LEDGER).deserializer();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicLong printed = new AtomicLong();
            Thread hook = new Thread(() -> stopped.set(true), "tollgate-ledger-tail-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (LedgerReader reader = connection.reader()) {
                reader.follow(fromBeginning, () -> stopped.get() || maxEvents > 0 && printed.get() >= maxEvents,
                        raw -> {
                            if (runId != null && raw.key() != null && !runId.equals(raw.key())) {
                                return;
                            }
                            try {
                                LedgerEvent event = decoder.deserialize(Topics.LEDGER.name(), raw.value());
                                if (runId != null && !runId.equals(event.getRunId())) {
                                    return;
                                }
                                ObjectNode line = Json.MAPPER.createObjectNode().put("runId", event.getRunId());
                                line.setAll((ObjectNode) Json.MAPPER.valueToTree(LedgerFold.timelineEntry(
                                        event, LedgerHash.ofRecordValue(raw.value()))));
                                out.println(Json.write(line));
                                out.flush();
                                printed.incrementAndGet();
                            } catch (RuntimeException e) {
                                err.println("undecodable ledger record at partition " + raw.partition() + ", offset "
                                        + raw.offset() + ": " + e.getMessage());
                                err.flush();
                            }
                        });
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down
                }
            }
            return 0;
        }
    }
}
