package dev.tollgate.events.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 as lower-case hex, the digest format used everywhere in Tollgate. Each thread keeps one
 * {@link MessageDigest} (looking one up costs more than hashing a ledger event), and hex is written from a table.
 */
public final class Sha256 {

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {
    }

    public static String hex(byte[] bytes) {
        return hex(bytes, 0, bytes.length);
    }

    public static String hex(byte[] bytes, int offset, int length) {
        return toHex(digest(bytes, offset, length));
    }

    public static String hex(String utf8) {
        return hex(utf8.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] digest(byte[] bytes, int offset, int length) {
        MessageDigest md = DIGEST.get();
        md.reset();
        md.update(bytes, offset, length);
        return md.digest();
    }

    /** Lower-case hex of {@code bytes}, two digits per byte. */
    public static String toHex(byte[] bytes) {
        byte[] out = new byte[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            out[2 * i] = HEX_DIGITS[b >>> 4];
            out[2 * i + 1] = HEX_DIGITS[b & 0x0f];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
