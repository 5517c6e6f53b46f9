package dev.tollgate.policy.auth;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.INTAKE_KEYS;
import static dev.tollgate.policy.Fixtures.REFERENCE;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.human;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.signed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.policy.run.StaticPolicyContext;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandAuthenticatorTest {

    private static final KeyPair AGENT_KEY = generate();
    private static final KeyPair OTHER_KEY = generate();

    private final CommandAuthenticator authenticator = new CommandAuthenticator(INTAKE_KEYS, Duration.ofMinutes(5));

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Identity withKey(Identity identity, KeyPair pair) {
        return Identity.newBuilder(identity).setPublicKey(Base64.getEncoder().encodeToString(
                pair.getPublic().getEncoded())).build();
    }

    private static StaticPolicyContext context() {
        return new StaticPolicyContext(REFERENCE, Map.of(
                AGENT, withKey(identity(AGENT, true), AGENT_KEY),
                "agent-2", withKey(identity("agent-2", true), OTHER_KEY),
                "lead", human("lead", "acme", true, "support-lead"),
                "globex-agent", Identity.newBuilder(identity("globex-agent", true)).setTenantId("globex").build()),
                Map.of());
    }

    private Optional<ReasonCode> check(Command command, Instant recordTime) {
        return authenticator.check(command, recordTime, context()).map(f -> f.reason().getCode());
    }

    private static Command as(String principal, String tenant) {
        return Command.newBuilder(requestRun("r1")).setPrincipalId(principal).setTenantId(tenant).build();
    }

    private static Command ed25519(Command command, KeyPair pair, String signer) {
        return Proofs.signEd25519(Command.newBuilder(command).build(), pair.getPrivate(), pair.getPublic(), signer);
    }

    @Test
    void intakesProofAttributesTheCommandToItsPrincipal() {
        assertThat(check(signed(requestRun("r1")), T0)).isEmpty();
    }

    @Test
    void anUnsignedOrBadlySignedCommandIsUnauthenticated() {
        assertThat(check(requestRun("r1"), T0)).contains(ReasonCode.COMMAND_UNAUTHENTICATED);
        Command other = Proofs.signHmac(Command.newBuilder(requestRun("r1")).build(), KeyRing.random(), "intake");
        assertThat(check(other, T0)).contains(ReasonCode.COMMAND_UNAUTHENTICATED);
        Command forged = signed(requestRun("r1"));
        forged.setPrincipalId("lead");
        assertThat(check(forged, T0)).contains(ReasonCode.COMMAND_UNAUTHENTICATED);
        assertThat(new CommandAuthenticator(null, Duration.ofMinutes(5)).check(signed(requestRun("r1")), T0,
                context())).as("no intake key configured").isPresent();
    }

    @Test
    void aPrincipalsOwnSignatureIsAcceptedOnlyForItself() {
        assertThat(check(ed25519(requestRun("r1"), AGENT_KEY, AGENT), T0)).isEmpty();
        assertThat(check(ed25519(as("lead", "acme"), AGENT_KEY, AGENT), T0)).contains(ReasonCode.PRINCIPAL_MISMATCH);
        assertThat(authenticator.check(ed25519(as("lead", "acme"), AGENT_KEY, AGENT), T0, context()).orElseThrow()
                .actor()).as("attributed to the signer").isEqualTo(AGENT);
        assertThat(check(ed25519(requestRun("r1"), OTHER_KEY, AGENT), T0))
                .as("a key that is not the signer's").contains(ReasonCode.COMMAND_UNAUTHENTICATED);
        assertThat(check(ed25519(as("lead", "acme"), OTHER_KEY, "lead"), T0))
                .as("a signer without a registered key").contains(ReasonCode.COMMAND_UNAUTHENTICATED);
    }

    @Test
    void theTenantIsTheIdentitysNeverTheEnvelopes() {
        assertThat(check(signed(as("globex-agent", "acme")), T0)).contains(ReasonCode.TENANT_MISMATCH);
        assertThat(check(signed(as(AGENT, "acme-shadow")), T0)).contains(ReasonCode.TENANT_MISMATCH);
        assertThat(check(signed(as("nobody", "acme")), T0)).contains(ReasonCode.IDENTITY_UNKNOWN);
    }

    @Test
    void issuedAtMustBeWithinTheSkewOfTheRecordTimestamp() {
        Command command = signed(requestRun("r1"));
        assertThat(check(command, T0.plus(Duration.ofMinutes(5)))).isEmpty();
        assertThat(check(command, T0.minus(Duration.ofMinutes(5)))).isEmpty();
        assertThat(check(command, T0.plus(Duration.ofMinutes(5)).plusMillis(1))).contains(ReasonCode.CLOCK_SKEW);
        assertThat(check(command, T0.minus(Duration.ofHours(2)))).contains(ReasonCode.CLOCK_SKEW);
    }
}
