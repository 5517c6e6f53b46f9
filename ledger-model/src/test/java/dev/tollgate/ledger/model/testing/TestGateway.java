package dev.tollgate.ledger.model.testing;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/** A tool gateway's signing key for tests: publishes a {@link GatewayKey} and signs receipts with Ed25519. */
public final class TestGateway {

    private final KeyPair keys;
    private final String keyId;

    public TestGateway() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        keyId = ReceiptCanonicalForm.keyId(keys.getPublic());
    }

    public String keyId() {
        return keyId;
    }

    public GatewayKey gatewayKey() {
        return GatewayKey.newBuilder().setKeyId(keyId)
                .setPublicKey(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()))
                .setGatewayId("test-gateway").setCreatedAt(Instant.parse("2026-03-01T09:00:00Z")).build();
    }

    /** A signed receipt for a call of {@code runId}. */
    public Receipt receipt(String runId, String callId, String tool, ToolCallStatus status) {
        Receipt receipt = Receipt.newBuilder().setKeyId(keyId).setRunId(runId).setCallId(callId).setTool(tool)
                .setArgsSha256(CanonicalJson.sha256(RunLedger.ARGS))
                .setResultSha256(CanonicalJson.sha256("{\"ok\":true}")).setStatus(status)
                .setStartedAt(Instant.parse("2026-03-01T10:00:30Z")).setFinishedAt(Instant.parse("2026-03-01T10:00:31Z"))
                .setSignature("").build();
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(ReceiptCanonicalForm.bytes(receipt));
            receipt.setSignature(Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return receipt;
    }
}
