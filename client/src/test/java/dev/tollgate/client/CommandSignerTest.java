package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.auth.Proofs;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CommandSignerTest {

    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05.678912Z");
    private final SigningKey key = SigningKey.generate();
    private final CommandSigner signer = new CommandSigner("p1", "acme", key, Clock.fixed(NOW, ZoneOffset.UTC));

    private static RequestRun run() {
        return RequestRun.newBuilder().setWorkflow("research").setEnvironment("dev").setClassification("Internal")
                .build();
    }

    @Test
    void signsTheEnvelopeOfItsPrincipalWithAnEd25519ProofTheRegisteredKeyVerifies() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Command command = signer.sign("cmd-1", "run-1", run(), traceparent);
        assertThat(command.getTraceparent()).isEqualTo(traceparent);
        assertThat(command.getPrincipalId()).isEqualTo("p1");
        assertThat(command.getTenantId()).isEqualTo("acme");
        assertThat(command.getIssuedAt()).isEqualTo(Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(command.getProof().getScheme()).isEqualTo(Proofs.ED25519);
        assertThat(command.getProof().getSignerId()).isEqualTo("p1");
        assertThat(command.getProof().getKeyId()).isEqualTo(key.keyId());
        assertThat(Proofs.verifyEd25519(command, Proofs.publicKey(key.publicKeyBase64()))).isTrue();
        assertThat(Proofs.verifyEd25519(command, SigningKey.generate().publicKey())).isFalse();
    }

    @Test
    void anyChangeAfterSigningBreaksTheProof() {
        Command command = signer.sign("run-1", DecideApproval.newBuilder().setCallId("c1")
                .setDecision(ApprovalDecision.APPROVE).build());
        ((DecideApproval) command.getPayload()).setDecision(ApprovalDecision.DENY);
        assertThat(Proofs.verifyEd25519(command, key.publicKey())).isFalse();
        Command other = signer.sign("run-1", run());
        other.setPrincipalId("p2");
        assertThat(Proofs.verifyEd25519(other, key.publicKey())).isFalse();
    }

    @Test
    void refusesWhatIsNotACommandAndBlankIds() {
        assertThatThrownBy(() -> signer.sign("run-1", RunBudget.newBuilder().build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a command payload")
                .hasMessageContaining("RequestToolCall");
        assertThatThrownBy(() -> signer.sign(" ", run())).hasMessageContaining("runId");
        assertThatThrownBy(() -> signer.sign("", "run-1", run(), null)).hasMessageContaining("commandId");
        assertThatThrownBy(() -> new CommandSigner(null, "acme", key, Clock.systemUTC()))
                .hasMessageContaining("principalId");
    }

    @Test
    void aKeyPairMustMatchAndRoundTripsThroughBase64() throws Exception {
        KeyPair a = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair b = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThatThrownBy(() -> SigningKey.of(a.getPrivate(), b.getPublic()))
                .hasMessageContaining("not one Ed25519 key pair");
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThatThrownBy(() -> SigningKey.of(rsa)).isInstanceOf(IllegalArgumentException.class);

        SigningKey loaded = SigningKey.fromBase64(Base64.getEncoder().encodeToString(a.getPrivate().getEncoded()),
                Base64.getEncoder().encodeToString(a.getPublic().getEncoded()));
        assertThat(loaded.keyId()).isEqualTo(Proofs.keyId(a.getPublic()));
        assertThat(loaded.toString()).contains(loaded.keyId())
                .doesNotContain(Base64.getEncoder().encodeToString(a.getPrivate().getEncoded()));
        assertThatThrownBy(() -> SigningKey.fromBase64("AAAA", loaded.publicKeyBase64()))
                .hasMessageContaining("PKCS#8");
    }
}
