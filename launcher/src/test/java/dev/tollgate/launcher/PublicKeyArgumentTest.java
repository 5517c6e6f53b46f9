package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicKeyArgumentTest {

    @Test
    void readsBase64TextPemAndDerFilesAndTheBase64Itself(@TempDir Path dir) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] der = pair.getPublic().getEncoded();
        String base64 = Base64.getEncoder().encodeToString(der);
        Path text = Files.writeString(dir.resolve("key.b64"), base64 + "\n");
        Path pem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PUBLIC KEY-----\n");
        Path raw = Files.write(dir.resolve("key.der"), der);

        assertThat(PublicKeyArgument.read(base64)).isEqualTo(base64);
        assertThat(PublicKeyArgument.read(text.toString())).isEqualTo(base64);
        assertThat(PublicKeyArgument.read(pem.toString())).isEqualTo(base64);
        assertThat(PublicKeyArgument.read(raw.toString())).isEqualTo(base64);
    }

    @Test
    void namesTheProblemWithAnythingElse(@TempDir Path dir) throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path file = Files.write(dir.resolve("rsa.der"), rsa.getPublic().getEncoded());
        assertThatThrownBy(() -> PublicKeyArgument.read(file.toString()))
                .hasMessageContaining("--public-key file " + file).hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> PublicKeyArgument.read("no-such-file.pem"))
                .hasMessageStartingWith("--public-key ").hasMessageContaining("Ed25519");
        Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n");
        assertThatThrownBy(() -> PublicKeyArgument.read(broken.toString())).hasMessageContaining("END PUBLIC KEY");
    }
}
