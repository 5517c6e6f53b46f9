package dev.tollgate.bench;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.projector.replay.LedgerReplay;
import dev.tollgate.projector.verify.LedgerReader;
import dev.tollgate.projector.verify.LedgerReport;
import dev.tollgate.projector.verify.LedgerVerifier;
import dev.tollgate.projector.verify.RawLedgerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Replay and verification throughput, with the code {@code tollgate ledger replay} and {@code tollgate ledger
 * verify} run ({@link LedgerReplay}, {@link LedgerVerifier}): once end to end from the broker (fetch included),
 * then over the same records held in memory, twice (cold, then with the JIT warm), so the projection's own cost
 * is visible apart from Kafka's.
 */
final class LedgerScan {

    private LedgerScan() {
    }

    static Map<String, Object> measure(String bootstrap, TollgateSerdes serdes) {
        Deserializer<LedgerEvent> decoder = serdes.value(Topics.LEDGER).deserializer();
        Map<String, Object> out = new LinkedHashMap<>();
        List<RawLedgerRecord> records = new ArrayList<>();
        long start = System.nanoTime();
        LedgerReplay fromKafka = new LedgerReplay(decoder, null);
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
            reader.readAll(record -> {
                records.add(record);
                fromKafka.accept(record);
            });
        }
        out.put("events", records.size());
        out.put("replayFromKafkaPerSecond", perSecond(records.size(), start));
        out.put("runs", fromKafka.views().size());

        for (String pass : List.of("Cold", "Warm")) {
            start = System.nanoTime();
            LedgerReplay replay = new LedgerReplay(decoder, null);
            records.forEach(replay::accept);
            out.put("replayInMemory" + pass + "PerSecond", perSecond(records.size(), start));
        }
        LedgerReport report = null;
        for (String pass : List.of("Cold", "Warm")) {
            start = System.nanoTime();
            LedgerVerifier.AllRuns all = new LedgerVerifier(decoder, keyId -> Optional.empty()).allRuns();
            records.forEach(all::accept);
            report = all.report();
            out.put("verifyInMemory" + pass + "PerSecond", perSecond(records.size(), start));
        }
        // From Kafka again, with the JIT warm: fetching and decoding against folding, as a long replay sees it.
        start = System.nanoTime();
        LedgerReplay warm = new LedgerReplay(decoder, null);
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
            reader.readAll(warm::accept);
        }
        out.put("replayFromKafkaWarmPerSecond", perSecond(warm.applied(), start));
        start = System.nanoTime();
        LedgerVerifier.AllRuns verified = new LedgerVerifier(decoder, keyId -> Optional.empty()).allRuns();
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
            reader.readAll(verified::accept);
        }
        out.put("verifyFromKafkaWarmPerSecond", perSecond(records.size(), start));
        out.put("verifyValid", report != null && report.valid() && verified.report().valid());
        out.put("verifyBrokenRuns", report == null ? 0 : report.broken().size());
        return out;
    }

    private static double perSecond(long events, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds > 0 ? Math.round(events / seconds) : Double.NaN;
    }
}
