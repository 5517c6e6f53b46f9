package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LedgerCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new LedgerCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void replayNeedsExactlyOneStart() {
        assertThat(run("replay")).isEqualTo(2);
        assertThat(err.toString()).contains("--from-offset", "--from-timestamp");
        assertThat(run("replay", "--from-offset", "0:0", "--from-timestamp", "2026-03-01T10:00:00Z")).isEqualTo(2);
    }

    @Test
    void aSubcommandIsRequired() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("verify, replay or tail");
    }

    @Test
    void helpListsTheSubcommandsAndConnectionDefaults() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("verify", "replay", "tail");
        assertThat(run("verify", "--help")).isZero();
        assertThat(out.toString()).contains("--bootstrap-servers", "localhost:9092", "8081", "--run");
    }
}
