package dev.tollgate.intake.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.auth.Proofs;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PublicKeysTest {

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void acceptsAnEd25519PublicKeyAndNamesItsKeyId() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String text = base64(pair.getPublic().getEncoded());
        assertThat(PublicKeys.normalize("  " + text + "\n")).isEqualTo(text);
        assertThat(PublicKeys.keyId(text)).isEqualTo(Proofs.keyId(pair.getPublic())).hasSize(16);
    }

    @Test
    void refusesOtherAlgorithmsPrivateKeysArmourAndGarbage() throws Exception {
        KeyPair x25519 = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String ed25519 = base64(ed.getPublic().getEncoded());
        assertThatThrownBy(() -> PublicKeys.normalize(base64(x25519.getPublic().getEncoded())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> PublicKeys.normalize(base64(rsa.getPublic().getEncoded())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicKeys.normalize(base64(ed.getPrivate().getEncoded())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicKeys.normalize("-----BEGIN PUBLIC KEY-----\n" + ed25519))
                .hasMessageContaining("PEM");
        assertThatThrownBy(() -> PublicKeys.normalize("not base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicKeys.normalize(ed25519.substring(4)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicKeys.normalize(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> PublicKeys.normalize("A".repeat(PublicKeys.MAX_LENGTH + 4)))
                .hasMessageContaining("longer");
        assertThat(PublicKeys.keyIdOrInvalid("nope")).isEqualTo("invalid");
    }
}
