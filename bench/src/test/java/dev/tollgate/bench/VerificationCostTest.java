package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code auth} section measures every operation (each checked to verify) and relates to {@code decide}. */
class VerificationCostTest {

    @Test
    void measuresEachStepAndRelatesTheIntakePathToTheCostOfADecision() throws Exception {
        StringWriter printed = new StringWriter();
        Map<String, Object> report = VerificationCost.measure(Map.of("callsPerRun20", 400.0),
                new PrintWriter(printed), 20, 20);
        assertThat(report).containsKeys("canonicalFormMicros", "hmacSignMicros", "hmacVerifyMicros",
                "intakePathMicros", "ed25519SignMicros", "ed25519VerifyMicros", "kafkaPathVerifyMicros",
                "decideMicrosPerDecision", "intakePathPercentOfDecision");
        assertThat((double) report.get("intakePathMicros")).isGreaterThan(0);
        assertThat((double) report.get("intakePathPercentOfDecision"))
                .isCloseTo((double) report.get("intakePathMicros") / 4.0, within(0.01));
        assertThat(printed.toString()).contains("Command authentication", "kafkaPathVerifyMicros");
        assertThat(VerificationCost.measure(null, new PrintWriter(new StringWriter()), 1, 1))
                .doesNotContainKey("intakePathPercentOfDecision");
    }
}
