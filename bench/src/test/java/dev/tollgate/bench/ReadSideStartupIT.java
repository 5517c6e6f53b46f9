package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * The start-up measurement of docs/benchmarks.md ("Read side start-up"), on real embedded brokers: intake and the
 * projector against an empty ledger and against a ledger of {@code -Dtollgate.bench.ledgerEvents} events (default
 * 20,000 so the IT stays quick; the documented run uses 1,000,000), each start repeated
 * {@code -Dtollgate.bench.repeats} times (default 3). It asserts only that every start became ready and that the
 * projector verified its last run; the numbers go to {@code target/read-side-startup.json} and to the log.
 */
class ReadSideStartupIT {

    @Test
    void intakeAndProjectorStartWithoutReplayingTheLedger() throws Exception {
        long events = Long.getLong("tollgate.bench.ledgerEvents", 20_000);
        int repeats = Integer.getInteger("tollgate.bench.repeats", 3);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("empty", ReadSideStartup.measure(0, repeats));
        report.put("full", ReadSideStartup.measure(events, repeats));

        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        Files.writeString(Path.of("target", "read-side-startup.json"), json);
        System.out.println(json);
        assertThat(report.get("full")).asInstanceOf(InstanceOfAssertFactories.MAP).containsKeys(
                "intakeReadyMedianMs", "projectorRestartReadyMedianMs", "verifyLastRunMedianMs");
    }
}
