package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the config declarations: this test fails when it is missing or out of
 * date (it never writes the doc itself); the current text is left in launcher/target/configuration.md to copy.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md").toAbsolutePath().normalize();

    @Test
    void theConfigurationDocIsCurrent() throws IOException {
        String expected = ConfigReference.markdown();
        Path generated = Path.of("target", "configuration.md");
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, expected);
        if (!Files.exists(DOC)) {
            fail(DOC + " is missing: cp launcher/target/configuration.md docs/configuration.md");
        }
        assertThat(Files.readString(DOC))
                .as("docs/configuration.md is out of date: cp launcher/target/configuration.md docs/configuration.md")
                .isEqualTo(expected);
    }

    @Test
    void everyServiceHelpListsItsKeysAndVariables() {
        CommandRun intake = CommandRun.of("intake", "--help");
        assertThat(intake.exitCode()).isZero();
        assertThat(intake.out()).contains("--config=FILE", "max.body.bytes (long, default 1048576)",
                "TOLLGATE_MAX_BODY_BYTES", "kafka.<client setting>");
        assertThat(CommandRun.of("policy-processor", "--help").out()).contains("commit.interval.ms",
                "streams. is read as kafka.");
        assertThat(CommandRun.of("projector", "--help").out()).contains("forward.timeout.ms");
        assertThat(CommandRun.of("tool-gateway", "--help").out()).contains("limits.maxInFlight",
                "TOLLGATE_LIMITS_MAXINFLIGHT", "topics.create is read as create.topics");
    }
}
