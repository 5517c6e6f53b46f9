package dev.tollgate.policy.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Event ids are name-based (version 3) UUIDs of {@code runId/seq}: replays and other readers recompute them. */
class RunLedgerEventIdTest {

    @Test
    void anEventIdIsTheNameBasedUuidOfRunAndSequence() {
        for (String runId : new String[] {"r1", "0b6f6d4e-3f7e-4f57-9d0e-5b8c1f0a2c11", "rün/ß", ""}) {
            for (long seq : new long[] {0, 1, 2, 255, 1L << 40}) {
                assertThat(RunLedger.eventId(runId, seq)).isEqualTo(
                        UUID.nameUUIDFromBytes((runId + "/" + seq).getBytes(StandardCharsets.UTF_8)).toString());
            }
        }
        assertThat(UUID.fromString(RunLedger.eventId("r1", 1)).version()).isEqualTo(3);
    }
}
