package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.UsageRecorded;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** What each appended ledger event adds to the decision metrics. */
class DecisionMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DecisionMeters meters = new DecisionMeters(registry);

    @Test
    void countsADenialByItsDecidingCodeAndEveryReasonByRule() {
        meters.appended(event(ToolCallDenied.newBuilder().setCallId("c1").setTool("http.fetch")
                .setReasons(List.of(reason(ReasonCode.DENIED_BY_RULE, "no-egress"),
                        reason(ReasonCode.BUDGET_EXHAUSTED, null))).build()), 1_000, 1_250);

        assertThat(registry.get("tollgate.decisions").tags("type", "tool_call", "outcome", "denied",
                "code", "DENIED_BY_RULE").counter().count()).isEqualTo(1);
        assertThat(registry.get("tollgate.denial.reasons").tags("code", "DENIED_BY_RULE", "rule", "no-egress")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("tollgate.denial.reasons").tags("code", "BUDGET_EXHAUSTED", "rule", "none")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("tollgate.decision.latency").tags("type", "tool_call").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
    }

    @Test
    void countsAnApprovalWithoutLatencyWhenNoCommandTimestampAndSkipsNonDecisions() {
        meters.appended(event(ApprovalGranted.newBuilder().setCallId("c1").setApproverId("h1").build()), -1, 5);
        meters.appended(event(UsageRecorded.newBuilder().setModel("m").setInputTokens(1).setOutputTokens(1)
                .setCostMicros(1).setTotalTokens(2).setTotalCostMicros(1).build()), 1, 5);

        assertThat(registry.get("tollgate.decisions").tags("type", "approval", "outcome", "granted", "code", "none")
                .counter().count()).isEqualTo(1);
        assertThat(registry.find("tollgate.decision.latency").timer()).isNull();
        assertThat(registry.find("tollgate.decisions").counters()).hasSize(1);
        assertThat(registry.get("tollgate.ledger.events").tags("event", "UsageRecorded").counter().count())
                .isEqualTo(1);
    }

    private static Reason reason(ReasonCode code, String ruleId) {
        return Reason.newBuilder().setCode(code).setRuleId(ruleId).setMessage("m").build();
    }

    private static LedgerEvent event(SpecificRecord payload) {
        return LedgerEvent.newBuilder().setRunId("r1").setSeq(1).setEventId("e1").setOccurredAt(Instant.EPOCH)
                .setTenantId("t").setPrincipalId("p").setPrevHash("0".repeat(64)).setPayload(payload).build();
    }
}
