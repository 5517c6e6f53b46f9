package dev.tollgate.client;

import dev.tollgate.events.auth.Proofs;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

/**
 * A principal's Ed25519 key pair, checked once to be a matching Ed25519 pair (a mismatched pair would sign commands
 * the policy-processor refuses as COMMAND_UNAUTHENTICATED). The public half is what an admin registers on the
 * principal's identity ({@code tollgate identity create --public-key}, {@code POST /v1/identities} with
 * {@code publicKey}); the private half never leaves this object, is not logged and is never on a topic.
 */
public final class SigningKey {

    private static final byte[] PROBE = "tollgate-client-key-check".getBytes(StandardCharsets.UTF_8);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("the private and public keys are not one Ed25519 key pair");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** A fresh key pair from the JDK's {@code KeyPairGenerator.getInstance("Ed25519")}. */
    public static SigningKey generate() {
        try {
            return of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** The pair, e.g. from {@code KeyPairGenerator.getInstance("Ed25519").generateKeyPair()}. */
    public static SigningKey of(KeyPair pair) {
        return new SigningKey(pair.getPrivate(), pair.getPublic());
    }

    public static SigningKey of(PrivateKey privateKey, PublicKey publicKey) {
        return new SigningKey(privateKey, publicKey);
    }

    /**
     * The pair from the Base64 of the private key's PKCS#8 encoding and of the public key's X.509 encoding (what
     * {@code getEncoded()} gives for each).
     */
    public static SigningKey fromBase64(String pkcs8PrivateKey, String x509PublicKey) {
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8PrivateKey.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not the Base64 of an Ed25519 private key's PKCS#8 encoding", e);
        }
        return new SigningKey(privateKey, Proofs.publicKey(x509PublicKey.strip()));
    }

    /** The Base64 of the public key's X.509 encoding: the value to register on the principal's identity. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** The key id proofs name: the first 16 hex digits of the SHA-256 of the public key's X.509 bytes. */
    public String keyId() {
        return Proofs.keyId(publicKey);
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    /** Names the key id only: the private key is never part of a string. */
    @Override
    public String toString() {
        return "SigningKey[ed25519 " + keyId() + "]";
    }
}
