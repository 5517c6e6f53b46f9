package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kafka.FreePorts;
import dev.tollgate.policy.engine.DefaultBundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operator command pointed at an address where nothing listens fails with the one message and exit code
 * ({@link Unreachable}), naming the address, instead of the Kafka clients' minutes of retries and their messages.
 * The ports are free ports nobody listens on, or one that accepts connections and never answers. (No timing is
 * asserted: the bound is {@link Unreachable#TIMEOUT}.)
 */
class UnreachableClusterTest {

    @TempDir
    static Path dir;

    private static String kafka;
    private static String registry;
    private static Path bundle;

    @BeforeAll
    static void closedPorts() throws IOException {
        kafka = "127.0.0.1:" + FreePorts.next();
        registry = "http://127.0.0.1:" + FreePorts.next();
        bundle = Files.writeString(dir.resolve("bundle.yaml"), DefaultBundle.yaml());
    }

    @Test
    void everyOperatorCommandNamesTheKafkaAddressItCouldNotReach() throws Exception {
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("policy publish", List.of("policy", "publish", bundle.toString()));
        commands.put("policy publish --default", List.of("policy", "publish", "--default", "--if-none"));
        commands.put("policy diff", List.of("policy", "diff", bundle.toString(), "--exit-code"));
        commands.put("policy list", List.of("policy", "list"));
        commands.put("identity create", List.of("identity", "create", "--name", "n", "--kind", "agent",
                "--tenant", "t"));
        commands.put("identity disable", List.of("identity", "disable", "someone"));
        commands.put("identity list", List.of("identity", "list"));
        commands.put("kill engage", List.of("kill", "engage", "--scope", "global"));
        commands.put("kill list", List.of("kill", "list"));
        commands.put("ledger verify", List.of("ledger", "verify"));
        commands.put("ledger replay", List.of("ledger", "replay", "--from-offset", "0"));
        commands.put("ledger tail", List.of("ledger", "tail", "--from-beginning", "--max-events", "1"));
        commands.put("dlq list", List.of("dlq", "list"));
        commands.put("tools list", List.of("tools", "list"));
        commands.put("topics", List.of("topics"));
        commands.put("acls apply", List.of("acls", "apply"));

        // Side by side: a refused connection is named at once, but a slow start-up is not this test's business.
        ExecutorService pool = Executors.newFixedThreadPool(commands.size());
        try {
            Map<String, Future<CommandRun>> runs = new LinkedHashMap<>();
            commands.forEach((name, args) -> {
                List<String> all = new ArrayList<>(args);
                all.addAll(List.of("--bootstrap-servers", kafka, "--schema-registry-url", registry));
                runs.put(name, pool.submit(() -> CommandRun.of(all.toArray(String[]::new))));
            });
            for (Map.Entry<String, Future<CommandRun>> run : runs.entrySet()) {
                CommandRun result = run.getValue().get();
                assertThat(result.exitCode()).as(run.getKey() + ": " + result.err()).isEqualTo(Unreachable.EXIT_CODE);
                assertThat(result.err()).as(run.getKey()).isEqualTo("tollgate: cannot reach Kafka at " + kafka
                        + " (connection refused)" + System.lineSeparator());
                assertThat(result.out()).as(run.getKey()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theCommandPrintsOneLineAndNoKafkaClientChatter() throws Exception {
        // A process of its own, with the command's own logging configuration (not the tests'), as an operator runs it.
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dlog4j2.configurationFile=log4j2.properties", Tollgate.class.getName(),
                "identity", "list", "--bootstrap-servers", kafka, "--schema-registry-url", registry)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err).isEqualTo(Unreachable.EXIT_CODE);
        assertThat(out).isEmpty();
        assertThat(err.lines().toList()).containsExactly("tollgate: cannot reach Kafka at " + kafka
                + " (connection refused)");
    }

    @Test
    void aPortThatAcceptsButNeverAnswersLikeKafkaTimesOut() throws Exception {
        // The kernel completes the handshake into the backlog; nothing ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + silent.getLocalPort();
            CommandRun run = CommandRun.of("topics", "--bootstrap-servers", address);
            assertThat(run.exitCode()).as(run.err()).isEqualTo(Unreachable.EXIT_CODE);
            assertThat(run.err()).isEqualTo("tollgate: cannot reach Kafka at " + address + " (timed out after "
                    + Unreachable.TIMEOUT.toSeconds() + " s)" + System.lineSeparator());
        }
    }

    @Test
    void aBootstrapAddressThatDoesNotResolveIsNamedToo() {
        CommandRun run = CommandRun.of("topics", "--bootstrap-servers", "no-such-host.invalid:9092");
        assertThat(run.exitCode()).isEqualTo(Unreachable.EXIT_CODE);
        assertThat(run.err()).startsWith("tollgate: cannot reach Kafka at no-such-host.invalid:9092 (");
    }

    @Test
    void commandsThatNeedNoClusterStillWork() throws Exception {
        CommandRun check = CommandRun.of("policy", "check", bundle.toString(), "--help");
        assertThat(check.exitCode()).isZero();
        CommandRun checked = CommandRun.of("policy", "check", bundle.toString());
        assertThat(checked.exitCode()).as(checked.err()).isZero();
    }
}
