package dev.tollgate.launcher;

import dev.tollgate.intake.identity.PublicKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Reads the {@code --public-key} of {@code tollgate identity}: a file (the Base64 text, a PEM
 * {@code PUBLIC KEY} block, or the raw X.509 DER bytes) or the Base64 text itself, and answers the normalized
 * Base64 X.509 text {@code Identity.publicKey} stores. Anything that is not an Ed25519 public key is an
 * {@link IllegalArgumentException} naming the problem.
 */
final class PublicKeyArgument {

    private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String PEM_END = "-----END PUBLIC KEY-----";

    private PublicKeyArgument() {
    }

    static String read(String argument) {
        Path file = asFile(argument);
        String text;
        if (file == null) {
            text = argument;
        } else {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            text = fileText(bytes);
        }
        try {
            return PublicKeys.normalize(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--public-key " + (file == null ? "" : "file " + file + " ")
                    + e.getMessage(), e);
        }
    }

    private static Path asFile(String argument) {
        try {
            Path path = Path.of(argument);
            return Files.isRegularFile(path) ? path : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String fileText(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        int begin = text.indexOf(PEM_BEGIN);
        if (begin >= 0) {
            int end = text.indexOf(PEM_END, begin);
            if (end < 0) {
                throw new IllegalArgumentException("--public-key: the PEM block has no " + PEM_END + " line");
            }
            return text.substring(begin + PEM_BEGIN.length(), end).replaceAll("\\s", "");
        }
        if (text.matches("[A-Za-z0-9+/=\\s]+")) {
            return text.replaceAll("\\s", "");
        }
        return Base64.getEncoder().encodeToString(bytes);
    }
}
