package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void resolvesSecretsFromADirectoryAndVariablesFromTheEnvironment() throws Exception {
        Files.writeString(dir.resolve("crm-token"), "tok-123\n");
        Secrets secrets = Secrets.from(Optional.of(dir), Map.of("REGION", "eu"));
        assertThat(secrets.resolve("Bearer ${secret:crm-token} in ${env:REGION}", "h"))
                .isEqualTo("Bearer tok-123 in eu");
        assertThat(secrets.resolve("no references", "h")).isEqualTo("no references");
    }

    @Test
    void resolvesSecretsFromAPropertiesFile() throws Exception {
        Path file = dir.resolve("secrets.properties");
        Files.writeString(file, "helpdesk=hd-9\n");
        assertThat(Secrets.from(Optional.of(file), Map.of()).resolve("${secret:helpdesk}", "h")).isEqualTo("hd-9");
    }

    @Test
    void anUnknownSecretOrVariableNamesItAndTheSettingButNoValue() throws Exception {
        Files.writeString(dir.resolve("known"), "value-that-must-not-leak");
        Secrets secrets = Secrets.from(Optional.of(dir), Map.of());
        assertThatThrownBy(() -> secrets.resolve("${secret:known} ${secret:crm-token}", "mcp.servers[crm].headers.A"))
                .hasMessageContaining("unknown secret 'crm-token'").hasMessageContaining("mcp.servers[crm].headers.A")
                .hasMessageNotContaining("value-that-must-not-leak");
        assertThatThrownBy(() -> secrets.resolve("${env:NOPE}", "x")).hasMessageContaining("'NOPE'");
        assertThatThrownBy(() -> Secrets.from(Optional.empty(), Map.of()).resolve("${secret:a}", "x"))
                .hasMessageContaining("unknown secret 'a'");
    }

    @Test
    void aSecretNameCannotReachOutsideTheDirectory() throws Exception {
        Files.writeString(dir.resolve("outside"), "x");
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        Secrets secrets = Secrets.from(Optional.of(secretsDir), Map.of());
        assertThatThrownBy(() -> secrets.resolve("${secret:..}", "x")).hasMessageContaining("unknown secret '..'");
        assertThat(secrets.resolve("${secret:../outside}", "x")).as("not a reference: left as written")
                .isEqualTo("${secret:../outside}");
    }
}
