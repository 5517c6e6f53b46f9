package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.engine.DefaultBundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PolicyCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new PolicyCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void checkAcceptsTheReferenceBundle() throws Exception {
        Path file = Files.writeString(dir.resolve("bundle.yaml"), DefaultBundle.yaml());
        assertThat(run("check", file.toString())).isZero();
        assertThat(out.toString()).contains("OK, bundle default version 2026.12.05-1");
    }

    @Test
    void checkListsEveryProblemWithLineAndRuleIdAndExitsNonZero() throws Exception {
        Path file = Files.writeString(dir.resolve("bundle.yaml"), DefaultBundle.yaml()
                .replace("tool.risk == \"read\"", "tool.rsk == \"read\"")
                .replace("size(args.q) > 200", "size(args.q) > \"200\""));
        assertThat(run("check", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("2 problem(s)").contains("[allow-read-tools]").contains("[long-queries]")
                .contains("bundle.yaml:" + lineOf(DefaultBundle.yaml(), "tool.risk == \"read\"") + ":");
    }

    @Test
    void testPassesMatchingCasesAndFailsOnAMismatch() throws Exception {
        Path file = Files.writeString(dir.resolve("bundle.yaml"), DefaultBundle.yaml());
        Path good = Files.writeString(dir.resolve("good.yaml"), """
                cases:
                  - name: external email
                    call: {tool: email.send, args: {to: [x@evil.org], subject: hi}}
                    expect: {decision: denied, code: DENIED_BY_RULE, rule: external-email}
                """);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                cases:
                  - name: search approved, expected denied
                    call: {tool: search_docs, args: {q: x}}
                    expect: {decision: denied}
                """);
        assertThat(run("test", file.toString(), good.toString())).isZero();
        assertThat(out.toString()).contains("PASS  external email");
        assertThat(run("test", file.toString(), bad.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL  search approved, expected denied: approved");
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String sub : new String[] {"check", "test", "publish", "diff"}) {
            out.getBuffer().setLength(0);
            assertThat(run(sub, "--help")).as(sub).isZero();
            assertThat(out.toString()).as(sub).contains("Usage: policy " + sub).contains("-h, --help");
        }
        out.getBuffer().setLength(0);
        assertThat(run("diff", "--help")).isZero();
        assertThat(out.toString()).contains("--exit-code").contains("--bootstrap-servers");
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }
}
