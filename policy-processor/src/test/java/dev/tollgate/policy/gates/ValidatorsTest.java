package dev.tollgate.policy.gates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.engine.GateSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidatorsTest {

    private static List<String> run(String gateJson, String content) {
        JsonNode params = CanonicalJson.parse(gateJson);
        return Validators.validate(new GateSpec("research", "deliver", "g", "report",
                params.get("validator").asText(), params, 1), content);
    }

    @Test
    void requiredFieldsNeedsEachFieldPresentNotNullNotBlank() {
        String gate = "{\"validator\":\"required-fields\",\"fields\":[\"title\",\"summary\",\"owner\"]}";
        assertThat(run(gate, "{\"title\":\"t\",\"summary\":\"s\",\"owner\":\"o\"}")).isEmpty();
        assertThat(run(gate, "{\"title\":\"t\",\"summary\":\" \",\"owner\":null}")).containsExactly(
                "required field summary is blank", "missing required field owner");
        assertThat(run(gate, "not json")).containsExactly("artifact is not a JSON object");
    }

    @Test
    void jsonSchemaValidatesTheContent() {
        String gate = "{\"validator\":\"json-schema\",\"schema\":{\"type\":\"object\",\"required\":[\"score\"],"
                + "\"properties\":{\"score\":{\"type\":\"integer\",\"maximum\":10}}}}";
        assertThat(run(gate, "{\"score\":7}")).isEmpty();
        assertThat(run(gate, "{\"score\":11}")).singleElement().asString().contains("maximum");
        assertThat(run(gate, "{}")).singleElement().asString().contains("score");
        assertThat(run(gate, "[")).containsExactly("artifact is not JSON");
    }

    @Test
    void maxBytesCountsUtf8Bytes() {
        String gate = "{\"validator\":\"max-bytes\",\"max\":4}";
        assertThat(run(gate, "abcd")).isEmpty();
        assertThat(run(gate, "abé")).isEmpty();
        assertThat(run(gate, "abcé")).containsExactly("artifact is 5 bytes; the gate allows 4");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "contact jane.doe+x@example.co.uk today",
        "call +44 20 7946 0958 now",
        "call (415) 555-2671 now",
        "call 415-555-2671 now",
        "card 4111 1111 1111 1111 on file",
        "card 5500-0000-0000-0004 on file",
        "key sk-proj-abcdefghijklmnopqrstuvwx1234",
        "aws AKIAIOSFODNN7EXAMPLE here",
        "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
        "api_key: Zx9fQ2LmP4rT8vW1yB6n",
        "{\"apiKey\": \"Zx9fQ2LmP4rT8vW1yB6nK\"}",
        "-----BEGIN RSA PRIVATE KEY-----"
    })
    void noPiiFindsEmailsPhonesCardsAndSecrets(String text) {
        assertThat(run("{\"validator\":\"no-pii\"}", text)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Quarterly report, revenue 1234567 USD, ticket 4411 closed",
        "card-like 4111 1111 1111 1112 fails the Luhn check",
        "version 2026.11.22-1 at 10:00, order 12345678901234",
        "{\"title\":\"Q3\",\"summary\":\"all good\",\"owner\":\"team-7\"}"
    })
    void noPiiLeavesOrdinaryTextAlone(String text) {
        assertThat(run("{\"validator\":\"no-pii\"}", text)).isEmpty();
    }

    @Test
    void findingsSayWhatAndWhereButNeverRepeatTheData() {
        List<String> findings = run("{\"validator\":\"no-pii\"}", "mail jane@example.com");
        assertThat(findings).containsExactly("email address at character 5");
        assertThat(String.join(" ", findings)).doesNotContain("jane");
    }

    @Test
    void luhn() {
        assertThat(Validators.luhn("4111111111111111")).isTrue();
        assertThat(Validators.luhn("4111111111111112")).isFalse();
        assertThat(Validators.luhn("79927398713")).isTrue();
    }
}
