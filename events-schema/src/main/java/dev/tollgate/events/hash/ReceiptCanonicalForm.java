package dev.tollgate.events.hash;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Receipt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The bytes a tool-gateway receipt signature covers: the canonical JSON (sorted keys, no white space) of
 * {@code {v:1, keyId, runId, callId, tool, argsSha256, resultSha256, status, startedAt, finishedAt}}, times as
 * epoch milliseconds. Signing lives in the gateway; verifying lives here so that the projector, the CLI and any
 * auditor check receipts the same way.
 */
public final class ReceiptCanonicalForm {

    public static final String ALGORITHM = "Ed25519";

    private ReceiptCanonicalForm() {
    }

    public static byte[] bytes(Receipt receipt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("v", 1);
        node.put("keyId", receipt.getKeyId());
        node.put("runId", receipt.getRunId());
        node.put("callId", receipt.getCallId());
        node.put("tool", receipt.getTool());
        node.put("argsSha256", receipt.getArgsSha256());
        node.put("resultSha256", receipt.getResultSha256());
        node.put("status", receipt.getStatus().name());
        node.put("startedAt", receipt.getStartedAt().toEpochMilli());
        node.put("finishedAt", receipt.getFinishedAt().toEpochMilli());
        return CanonicalJson.write(node).getBytes(StandardCharsets.UTF_8);
    }

    /** The key id of a public key: the first 16 hex digits of the SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    public static PublicKey decodePublicKey(String base64X509) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64X509)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** Whether the receipt's signature is valid for {@code key}; a malformed signature is simply invalid. */
    public static boolean verify(Receipt receipt, PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(bytes(receipt));
            return verifier.verify(Base64.getDecoder().decode(receipt.getSignature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
