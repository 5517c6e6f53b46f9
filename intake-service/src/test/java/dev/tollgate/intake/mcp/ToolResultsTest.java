package dev.tollgate.intake.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.intake.ledger.CallOutcome;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolResultsTest {

    private static final Receipt RECEIPT = Receipt.newBuilder().setKeyId("k1").setAlgorithm("Ed25519")
            .setRunId("r1").setCallId("c1").setTool("search_docs").setArgsSha256("a").setResultSha256("b")
            .setStatus(ToolCallStatus.SUCCEEDED).setStartedAt(Instant.EPOCH).setFinishedAt(Instant.EPOCH)
            .setSignature("sig").build();

    @Test
    void answersASuccessAsStructuredContentAndTheSameJsonAsText() {
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.APPROVED, List.of(),
                ToolCallStatus.SUCCEEDED, RECEIPT, "{\"hits\":[1,2]}", "p1"));

        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("content").path(0).path("text").asText()).isEqualTo("{\"hits\":[1,2]}");
        assertThat(result.path("structuredContent").toString()).isEqualTo("{\"hits\":[1,2]}");
        assertThat(result.path("_meta").path("dev.tollgate/receipt").path("signature").asText()).isEqualTo("sig");
    }

    @Test
    void wrapsAResultThatIsNotAnObject() {
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.APPROVED, List.of(),
                ToolCallStatus.SUCCEEDED, RECEIPT, "[1,2]", "p1"));

        assertThat(result.path("structuredContent").toString()).isEqualTo("{\"result\":[1,2]}");
    }

    @Test
    void answersADenialWithItsCodeRuleMessageAndSuggestions() {
        Reason reason = Reason.newBuilder().setCode(ReasonCode.DENIED_BY_RULE).setRuleId("external-email")
                .setMessage("external recipients are not allowed").setSuggest(List.of("tickets.update")).build();
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.DENIED, List.of(reason), null,
                null, null, "p1"));

        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.path("content").path(0).path("text").asText()).isEqualTo("DENIED_BY_RULE external-email:"
                + " external recipients are not allowed Suggested tools: tickets.update.");
        assertThat(result.path("structuredContent").path("decision").asText()).isEqualTo("DENIED");
        assertThat(result.path("structuredContent").path("reasons").path(0).path("ruleId").asText())
                .isEqualTo("external-email");
    }

    @Test
    void answersAFailureAndAHeldCallAsErrorsNamingTheirStatus() {
        ObjectNode failed = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.APPROVED, List.of(),
                ToolCallStatus.OUTCOME_UNKNOWN, RECEIPT, null, "p1"));
        ObjectNode held = ToolResults.notYet("c2", CallOutcome.PENDING_APPROVAL);

        assertThat(failed.path("isError").asBoolean()).isTrue();
        assertThat(failed.path("content").path(0).path("text").asText()).startsWith("OUTCOME_UNKNOWN: ");
        assertThat(held.path("isError").asBoolean()).isTrue();
        assertThat(held.path("content").path(0).path("text").asText()).startsWith("PENDING_APPROVAL: the call c2");
        assertThat(held.path("structuredContent").path("callId").asText()).isEqualTo("c2");
    }
}
