package dev.tollgate.events.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex, the digest format used everywhere in Tollgate. */
public final class Sha256 {

    private static final HexFormat HEX = HexFormat.of();
    /** One digest per thread: looking SHA-256 up in the providers costs about as much as hashing a small record. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private Sha256() {
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(digest(bytes, 0, bytes.length));
    }

    public static String hex(byte[] bytes, int offset, int length) {
        return HEX.formatHex(digest(bytes, offset, length));
    }

    public static String hex(String utf8) {
        return hex(utf8.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] digest(byte[] bytes, int offset, int length) {
        MessageDigest md = newDigest();
        md.update(bytes, offset, length);
        return md.digest();
    }

    private static MessageDigest newDigest() {
        MessageDigest md = DIGESTS.get();
        md.reset();
        return md;
    }
}
