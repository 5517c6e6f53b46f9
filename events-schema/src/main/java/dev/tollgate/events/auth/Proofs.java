package dev.tollgate.events.auth;

import dev.tollgate.events.Proof;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Signs and verifies the {@code proof} of a record (a {@code Command} or a {@code ToolCallDispatch}) over its
 * {@link CanonicalForm}. Two schemes: {@value #HMAC} with a {@link KeyRing} that producer and verifier share (intake
 * signs commands for the principal it authenticated; the processor signs dispatches for the gateway), and
 * {@value #ED25519} with a principal's own key, whose public half is registered on its {@code Identity}. Verifying
 * only answers whether the bytes were signed by that key; who may sign what is the verifier's rule.
 */
public final class Proofs {

    /** One HmacSHA256 instance per thread: looking the algorithm up in the providers costs more than the MAC. */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    });

    public static final String HMAC = "hmac-sha256";
    public static final String ED25519 = "ed25519";

    private Proofs() {
    }

    /** Sets the record's proof to an HMAC-SHA256 with the ring's active key; returns the same record. */
    public static <R extends IndexedRecord> R signHmac(R record, KeyRing keys, String signerId) {
        Proof proof = Proof.newBuilder().setScheme(HMAC).setKeyId(keys.activeKeyId()).setSignerId(signerId)
                .setSignature("").build();
        record.put(proofPos(record), proof);
        proof.setSignature(Base64.getEncoder().encodeToString(mac(keys.activeKey(), CanonicalForm.bytes(record))));
        return record;
    }

    /** Sets the record's proof to an Ed25519 signature by {@code key}; returns the same record. */
    public static <R extends IndexedRecord> R signEd25519(R record, PrivateKey key, PublicKey publicKey,
                                                          String signerId) {
        Proof proof = Proof.newBuilder().setScheme(ED25519).setKeyId(keyId(publicKey)).setSignerId(signerId)
                .setSignature("").build();
        record.put(proofPos(record), proof);
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(CanonicalForm.bytes(record));
            proof.setSignature(Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
        return record;
    }

    public static Optional<Proof> proofOf(IndexedRecord record) {
        return Optional.ofNullable((Proof) record.get(proofPos(record)));
    }

    /** Whether the record carries a valid {@value #HMAC} proof by one of the ring's keys. */
    public static boolean verifyHmac(IndexedRecord record, KeyRing keys) {
        Proof proof = proofOf(record).orElse(null);
        if (proof == null || !HMAC.equals(proof.getScheme())) {
            return false;
        }
        Optional<byte[]> key = keys.key(proof.getKeyId());
        byte[] given = decode(proof.getSignature());
        return key.isPresent() && given != null
                && MessageDigest.isEqual(mac(key.get(), CanonicalForm.bytes(record)), given);
    }

    /** Whether the record carries a valid {@value #ED25519} proof by {@code key} (and names that key's id). */
    public static boolean verifyEd25519(IndexedRecord record, PublicKey key) {
        Proof proof = proofOf(record).orElse(null);
        byte[] given = proof == null ? null : decode(proof.getSignature());
        if (given == null || !ED25519.equals(proof.getScheme()) || !keyId(key).equals(proof.getKeyId())) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(CanonicalForm.bytes(record));
            return verifier.verify(given);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The key id of an Ed25519 public key: the first 16 hex digits of the SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        return ReceiptCanonicalForm.keyId(key);
    }

    /** An Ed25519 public key from the Base64 of its X.509 encoding; {@link IllegalArgumentException} if it is not. */
    public static PublicKey publicKey(String base64X509) {
        return ReceiptCanonicalForm.decodePublicKey(base64X509);
    }

    private static byte[] mac(byte[] key, byte[] data) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] decode(String base64) {
        try {
            return base64 == null || base64.isEmpty() ? null : Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int proofPos(IndexedRecord record) {
        Schema.Field field = record.getSchema().getField(CanonicalForm.PROOF_FIELD);
        if (field == null) {
            throw new IllegalArgumentException(record.getSchema().getName() + " has no proof field");
        }
        return field.pos();
    }
}
