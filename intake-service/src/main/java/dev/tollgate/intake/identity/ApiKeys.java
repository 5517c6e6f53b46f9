package dev.tollgate.intake.identity;

import dev.tollgate.events.hash.Sha256;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * API keys: {@code tg_} and the base64url of 32 random bytes. A key is shown once, when it is created; only its
 * SHA-256 is stored (in {@code tollgate.identities.v1}). Keys are never logged.
 */
public final class ApiKeys {

    public static final String PREFIX = "tg_";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("tg_[A-Za-z0-9_-]{16,128}");

    private ApiKeys() {
    }

    /** A fresh key. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The digest stored for a key. */
    public static String sha256(String apiKey) {
        return Sha256.hex(apiKey);
    }

    /** Whether a text has the shape of a key (generated or configured), before any lookup. */
    public static boolean wellFormed(String text) {
        return text != null && SHAPE.matcher(text).matches();
    }
}
