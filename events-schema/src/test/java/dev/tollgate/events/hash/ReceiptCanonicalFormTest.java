package dev.tollgate.events.hash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallStatus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ReceiptCanonicalFormTest {

    @Test
    void canonicalFormIsSortedJsonOfTheSignedFields() {
        String text = new String(ReceiptCanonicalForm.bytes(receipt("k1", "r".repeat(64), "")),
                StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"argsSha256\":\"" + "a".repeat(64) + "\",\"callId\":\"call-1\","
                + "\"finishedAt\":2000,\"keyId\":\"k1\",\"resultSha256\":\"" + "r".repeat(64) + "\","
                + "\"runId\":\"run-1\",\"startedAt\":1000,\"status\":\"SUCCEEDED\",\"tool\":\"echo\",\"v\":1}");
    }

    @Test
    void verifiesAGenuineSignatureAndRejectsATamperedResult() throws GeneralSecurityException {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String keyId = ReceiptCanonicalForm.keyId(keys.getPublic());
        Receipt unsigned = receipt(keyId, "r".repeat(64), "");
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(keys.getPrivate());
        signer.update(ReceiptCanonicalForm.bytes(unsigned));
        String signature = Base64.getEncoder().encodeToString(signer.sign());

        Receipt signed = receipt(keyId, "r".repeat(64), signature);
        Receipt tampered = receipt(keyId, "e".repeat(64), signature);
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

        assertThat(keyId).hasSize(16);
        assertThat(ReceiptCanonicalForm.verify(signed, keys.getPublic())).isTrue();
        assertThat(ReceiptCanonicalForm.verify(tampered, keys.getPublic())).isFalse();
        assertThat(ReceiptCanonicalForm.verify(signed, other.getPublic())).isFalse();
        assertThat(ReceiptCanonicalForm.verify(receipt(keyId, "r".repeat(64), "not base64!"), keys.getPublic()))
                .isFalse();
        String encoded = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        assertThat(ReceiptCanonicalForm.verify(signed, ReceiptCanonicalForm.decodePublicKey(encoded))).isTrue();
    }

    private static Receipt receipt(String keyId, String resultSha256, String signature) {
        return Receipt.newBuilder()
                .setKeyId(keyId).setRunId("run-1").setCallId("call-1").setTool("echo")
                .setArgsSha256("a".repeat(64)).setResultSha256(resultSha256).setStatus(ToolCallStatus.SUCCEEDED)
                .setStartedAt(Instant.ofEpochMilli(1000)).setFinishedAt(Instant.ofEpochMilli(2000))
                .setSignature(signature)
                .build();
    }
}
