package dev.tollgate.intake.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    @Test
    void acceptsRequestsWithoutOriginAndRefusesEveryOriginByDefault() {
        OriginPolicy none = OriginPolicy.parse("");

        assertThat(none.allows(null)).isTrue();
        assertThat(none.allows("http://localhost:3000")).isFalse();
    }

    @Test
    void matchesExactOriginsAndAnyPortEntries() {
        OriginPolicy policy = OriginPolicy.parse("http://localhost:*, https://app.example.com");

        assertThat(policy.allows("http://localhost:6274")).isTrue();
        assertThat(policy.allows("http://LOCALHOST:1")).isTrue();
        assertThat(policy.allows("https://localhost:6274")).isFalse();
        assertThat(policy.allows("http://localhost.evil.test:6274")).isFalse();
        assertThat(policy.allows("https://app.example.com")).isTrue();
        assertThat(policy.allows("https://app.example.com:443")).isTrue();
        assertThat(policy.allows("https://app.example.com:8443")).isFalse();
        assertThat(policy.allows("null")).isFalse();
        assertThat(policy.allows("http://app.example.com/path")).isFalse();
    }

    @Test
    void refusesAMalformedEntry() {
        assertThatThrownBy(() -> OriginPolicy.parse("localhost:*")).isInstanceOf(IllegalArgumentException.class);
    }
}
