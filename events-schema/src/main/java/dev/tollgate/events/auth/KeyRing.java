package dev.tollgate.events.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shared service keys for HMAC-SHA256 proofs, read from a file of {@code keyId=base64} lines ({@code #} comments).
 * The first key signs; every key verifies, so a key is rotated by putting a new one first, rolling the producers,
 * then removing the old one. Keys never leave the file: not logged, never on a topic, not in {@link #toString()}.
 */
public final class KeyRing {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, byte[]> keys;
    private final String active;

    private KeyRing(Map<String, byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key ring needs at least one key");
        }
        this.keys = Collections.unmodifiableMap(keys);
        this.active = keys.keySet().iterator().next();
    }

    /** A ring of one key, for tests and for callers that hold the key in memory. */
    public static KeyRing of(String keyId, byte[] secret) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put(validId(keyId), secret.clone());
        return new KeyRing(keys);
    }

    /** A ring of one new random 256-bit key. */
    public static KeyRing random() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return of(newKeyId(), secret);
    }

    /** Reads a key file; a clear {@link IllegalArgumentException} names the line that is wrong. */
    public static KeyRing load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            byte[] secret;
            try {
                secret = eq > 0 ? Base64.getDecoder().decode(line.substring(eq + 1).strip()) : new byte[0];
            } catch (IllegalArgumentException e) {
                secret = new byte[0];
            }
            if (eq <= 0 || secret.length < 16) {
                throw new IllegalArgumentException("key file " + file + " line " + (i + 1)
                        + ": expected keyId=<base64 of at least 16 bytes>");
            }
            keys.put(validId(line.substring(0, eq).strip()), secret);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("key file " + file + " holds no key");
        }
        return new KeyRing(keys);
    }

    /** Reads the key file, first creating it (owner-only) with one random key when it does not exist. */
    public static KeyRing loadOrCreate(Path file) {
        if (!Files.exists(file)) {
            KeyRing ring = random();
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                }
                Files.writeString(file, "# Tollgate service key: keyId=base64 (first line signs)\n"
                        + ring.active + "=" + Base64.getEncoder().encodeToString(ring.keys.get(ring.active)) + "\n",
                        StandardCharsets.UTF_8);
            } catch (FileAlreadyExistsException e) {
                return load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write key file " + file, e);
            }
        }
        return load(file);
    }

    public String activeKeyId() {
        return active;
    }

    /**
     * A secret derived from the active key for one purpose (HMAC-SHA256 of the label), e.g. to key ids that other
     * principals must not predict. It changes when the active key is rotated.
     */
    public byte[] derive(String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(activeKey(), "HmacSHA256"));
            return mac.doFinal(("tollgate-derive-v1\n" + label).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    byte[] activeKey() {
        return keys.get(active);
    }

    Optional<byte[]> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    private static String newKeyId() {
        byte[] id = new byte[4];
        RANDOM.nextBytes(id);
        return "k" + HexFormat.of().formatHex(id);
    }

    private static String validId(String keyId) {
        if (!keyId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("key id must be 1-64 characters of [A-Za-z0-9._-]");
        }
        return keyId;
    }

    @Override
    public String toString() {
        return "KeyRing" + keys.keySet() + " (secrets not shown)";
    }
}
