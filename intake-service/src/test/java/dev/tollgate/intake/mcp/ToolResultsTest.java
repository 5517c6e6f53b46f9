package dev.tollgate.intake.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.intake.ledger.CallOutcome;
import dev.tollgate.ledger.model.ToolCallView.ReasonView;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolResultsTest {

    private static final JsonNode RECEIPT = JsonNodeFactory.instance.objectNode().put("keyId", "k1")
            .put("algorithm", "Ed25519").put("runId", "r1").put("callId", "c1").put("tool", "search_docs")
            .put("status", "SUCCEEDED").put("signature", "sig");

    @Test
    void answersASuccessAsStructuredContentAndTheSameJsonAsText() {
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.APPROVED, List.of(),
                "SUCCEEDED", RECEIPT, "{\"hits\":[1,2]}", "p1"));

        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("content").path(0).path("text").asText()).isEqualTo("{\"hits\":[1,2]}");
        assertThat(result.path("structuredContent").toString()).isEqualTo("{\"hits\":[1,2]}");
        assertThat(result.path("_meta").path("dev.tollgate/receipt").path("signature").asText()).isEqualTo("sig");
    }

    @Test
    void wrapsAResultThatIsNotAnObject() {
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.APPROVED, List.of(),
                "SUCCEEDED", RECEIPT, "[1,2]", "p1"));

        assertThat(result.path("structuredContent").toString()).isEqualTo("{\"result\":[1,2]}");
    }

    @Test
    void answersADenialWithItsCodeRuleMessageAndSuggestions() {
        Reason reason = Reason.newBuilder().setCode(ReasonCode.DENIED_BY_RULE).setRuleId("external-email")
                .setMessage("external recipients are not allowed").setSuggest(List.of("tickets.update")).build();
        ObjectNode result = ToolResults.of(new CallOutcome("r1", "c1", CallOutcome.DENIED, List.of(ReasonView.of(reason)), null,
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
                "OUTCOME_UNKNOWN", RECEIPT, null, "p1"));
        ObjectNode held = ToolResults.notYet("c2", CallOutcome.PENDING_APPROVAL);

        assertThat(failed.path("isError").asBoolean()).isTrue();
        assertThat(failed.path("content").path(0).path("text").asText()).startsWith("OUTCOME_UNKNOWN: ");
        assertThat(held.path("isError").asBoolean()).isTrue();
        assertThat(held.path("content").path(0).path("text").asText()).startsWith("PENDING_APPROVAL: the call c2");
        assertThat(held.path("structuredContent").path("callId").asText()).isEqualTo("c2");
    }
}
