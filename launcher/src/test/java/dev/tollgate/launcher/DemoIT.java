package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * End to end, as a user would: {@code tollgate demo} starts the whole stack on free ports in a temporary
 * directory, drives the scripted agent through every scenario over the public HTTP APIs and the operator CLI,
 * and must exit 0 with every observation matched.
 */
class DemoIT {

    @Test
    void everyDemoScenarioMatches() {
        StringWriter out = new StringWriter();
        CommandLine command = Tollgate.commandLine();
        command.setOut(new PrintWriter(out, true));

        int exit = command.execute("demo");

        assertThat(out.toString()).as("demo output:%n%s", out).contains("scenarios matched.")
                .contains("an MCP client session").doesNotContain("FAIL ");
        assertThat(exit).as("demo output:%n%s", out).isZero();
    }
}
