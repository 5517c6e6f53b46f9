package dev.tollgate.intake.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void derivesTheSameVersion5UuidFromTheSameParts() {
        String a = Ids.derived("run", "acme", "agent-1", "key-1");
        assertThat(Ids.derived("run", "acme", "agent-1", "key-1")).isEqualTo(a);
        assertThat(UUID.fromString(a).version()).isEqualTo(5);
        assertThat(UUID.fromString(a).variant()).isEqualTo(2);
    }

    @Test
    void derivesDifferentIdsForDifferentTenantsPrincipalsAndKeys() {
        String a = Ids.derived("run", "acme", "agent-1", "key-1");
        assertThat(Ids.derived("run", "globex", "agent-1", "key-1")).isNotEqualTo(a);
        assertThat(Ids.derived("run", "acme", "agent-2", "key-1")).isNotEqualTo(a);
        assertThat(Ids.derived("run", "acme", "agent-1", "key-2")).isNotEqualTo(a);
        assertThat(Ids.derived("run", "acme", "agent-1key-1", "")).isNotEqualTo(a);
    }

    @Test
    void recognisesCanonicalUuids() {
        assertThat(Ids.isUuid(UUID.randomUUID().toString())).isTrue();
        assertThat(Ids.isUuid("1-1-1-1-1")).isFalse();
        assertThat(Ids.isUuid("not a uuid")).isFalse();
        assertThat(Ids.isUuid(null)).isFalse();
    }

    @Test
    void keepsAValidTraceparentAndStartsOneOtherwise() {
        String given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertThat(Traceparent.fromHeaderOrStart(given)).isEqualTo(given);
        String started = Traceparent.fromHeaderOrStart("garbage");
        assertThat(Traceparent.valid(started)).isTrue();
        assertThat(Traceparent.valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isFalse();
        assertThat(Traceparent.valid("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isFalse();
    }
}
