package dev.tollgate.intake.identity;

import dev.tollgate.events.auth.Proofs;
import java.security.PublicKey;
import java.util.Base64;

/**
 * Validates the Ed25519 public key an identity registers for the commands it signs and produces to
 * {@code tollgate.commands.v1} itself ({@code Identity.publicKey} on {@code tollgate.identities.v1}): the Base64 of
 * its X.509 (SubjectPublicKeyInfo) encoding, as {@code PublicKey.getEncoded()} gives it. Anything else (another
 * algorithm, a private key, PEM armour, bad Base64) is refused, so the processor never holds a key it cannot use.
 */
public final class PublicKeys {

    /** The longest Base64 text accepted: an Ed25519 key is 44 bytes of X.509, 60 characters of Base64. */
    public static final int MAX_LENGTH = 512;

    private PublicKeys() {
    }

    /**
     * The key re-encoded as {@code Base64(X.509)} (so the stored text is canonical and its key id is the signer's).
     *
     * @throws IllegalArgumentException naming why it is not a Base64 X.509 Ed25519 public key
     */
    public static String normalize(String base64X509) {
        String text = base64X509 == null ? "" : base64X509.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
        }
        if (text.startsWith("-----")) {
            throw new IllegalArgumentException("must be the Base64 of the X.509 encoding, without PEM armour");
        }
        PublicKey key;
        try {
            key = Proofs.publicKey(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be the Base64 of an Ed25519 public key's X.509 encoding", e);
        }
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** The key id commands signed with the key name: the first 16 hex digits of the SHA-256 of its X.509 bytes. */
    public static String keyId(String base64X509) {
        return Proofs.keyId(Proofs.publicKey(base64X509));
    }

    /** As {@link #keyId(String)}, or {@code "invalid"} for a stored key that does not parse (written past intake). */
    public static String keyIdOrInvalid(String base64X509) {
        try {
            return keyId(base64X509);
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }
}
