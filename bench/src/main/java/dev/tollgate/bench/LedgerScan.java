package dev.tollgate.bench;

import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.projector.replay.LedgerReplay;
import dev.tollgate.projector.verify.LedgerEventDecoder;
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

/**
 * Replay and verification throughput, with the code {@code tollgate ledger replay} and {@code tollgate ledger
 * verify} run ({@link LedgerReplay}, {@link LedgerVerifier}): once end to end from the broker (fetch included),
 * then over the same records held in memory, twice (cold, then with the JIT warm), so the projection's own cost
 * is visible apart from Kafka's. Then {@code tollgate.bench.scanPasses} (default 5) more warm passes of each kind,
 * reported as their median, since one pass over a small ledger lasts about a second and a GC pause or a neighbour's
 * burst moves it by half.
 */
final class LedgerScan {

    private static final int PASSES = Integer.getInteger("tollgate.bench.scanPasses", 5);

    private LedgerScan() {
    }

    static Map<String, Object> measure(String bootstrap, TollgateSerdes serdes) {
        LedgerEventDecoder decoder = LedgerReplay.decoder(serdes);
        LedgerEventDecoder verifyDecoder = LedgerEventDecoder.of(serdes, LedgerVerifier.FIELDS);
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
            out.put("replayInMemory" + pass + "PerSecond", replayInMemory(decoder, records));
        }
        LedgerReport report = null;
        for (String pass : List.of("Cold", "Warm")) {
            start = System.nanoTime();
            LedgerVerifier.AllRuns all = new LedgerVerifier(verifyDecoder, keyId -> Optional.empty()).allRuns();
            records.forEach(all::accept);
            report = all.report();
            out.put("verifyInMemory" + pass + "PerSecond", perSecond(records.size(), start));
        }
        // From Kafka again, with the JIT warm: fetching and decoding against folding, as a long replay sees it.
        out.put("replayFromKafkaWarmPerSecond", replayFromKafka(bootstrap, decoder));
        start = System.nanoTime();
        LedgerVerifier.AllRuns verified = new LedgerVerifier(verifyDecoder, keyId -> Optional.empty()).allRuns();
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
            reader.readAll(verified::accept);
        }
        out.put("verifyFromKafkaWarmPerSecond", perSecond(records.size(), start));
        out.put("verifyValid", report != null && report.valid() && verified.report().valid());
        out.put("verifyBrokenRuns", report == null ? 0 : report.broken().size());

        if (PASSES > 0) {
            List<Double> replayKafka = new ArrayList<>();
            List<Double> verifyKafka = new ArrayList<>();
            List<Double> replayMemory = new ArrayList<>();
            List<Double> verifyMemory = new ArrayList<>();
            for (int i = 0; i < PASSES; i++) {
                replayKafka.add(replayFromKafka(bootstrap, decoder));
                start = System.nanoTime();
                LedgerVerifier.AllRuns again = new LedgerVerifier(verifyDecoder, keyId -> Optional.empty()).allRuns();
                try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
                    reader.readAll(again::accept);
                }
                verifyKafka.add(perSecond(again.report().events(), start));
                replayMemory.add(replayInMemory(decoder, records));
                start = System.nanoTime();
                LedgerVerifier.AllRuns inMemory = new LedgerVerifier(verifyDecoder, keyId -> Optional.empty())
                        .allRuns();
                records.forEach(inMemory::accept);
                verifyMemory.add(perSecond(inMemory.report().events(), start));
            }
            out.put("warmPasses", PASSES);
            out.put("replayFromKafkaWarmMedianPerSecond", median(replayKafka));
            out.put("verifyFromKafkaWarmMedianPerSecond", median(verifyKafka));
            out.put("replayInMemoryWarmMedianPerSecond", median(replayMemory));
            out.put("verifyInMemoryWarmMedianPerSecond", median(verifyMemory));
            out.put("replayFromKafkaWarmPasses", replayKafka);
            out.put("verifyFromKafkaWarmPasses", verifyKafka);
        }
        // How many records took the decoders' fast path (the rest were decoded in full by the topic's serde).
        out.put("fastDecoded", decoder.fastDecoded() + verifyDecoder.fastDecoded());
        out.put("fullyDecoded", decoder.fullyDecoded() + verifyDecoder.fullyDecoded());
        return out;
    }

    private static double replayFromKafka(String bootstrap, LedgerEventDecoder decoder) {
        long start = System.nanoTime();
        LedgerReplay replay = new LedgerReplay(decoder, null);
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(5))) {
            reader.readAll(replay::accept);
        }
        replay.views();
        return perSecond(replay.applied(), start);
    }

    private static double replayInMemory(LedgerEventDecoder decoder, List<RawLedgerRecord> records) {
        long start = System.nanoTime();
        LedgerReplay replay = new LedgerReplay(decoder, null);
        records.forEach(replay::accept);
        replay.views();
        return perSecond(records.size(), start);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double perSecond(long events, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds > 0 ? Math.round(events / seconds) : Double.NaN;
    }
}
