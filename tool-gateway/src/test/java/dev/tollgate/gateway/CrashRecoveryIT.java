package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a gateway (a child JVM, SIGKILL) in the middle of a non-idempotent call, after its side effect, and checks
 * that the restarted gateway reports OUTCOME_UNKNOWN and never performs the side effect again.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CrashRecoveryIT {

    @TempDir
    Path dir;

    @Test
    void aCallInterruptedByACrashIsReportedOutcomeUnknownAndNeverRunAgain(EmbeddedKafka kafka) throws Exception {
        Path outbox = dir.resolve("gateway/outbox.jsonl");
        Path configFile = dir.resolve("gateway.yaml");
        Files.writeString(configFile, String.join("\n",
                "bootstrap.servers: \"" + kafka.bootstrapServers() + "\"",
                "schema.registry.url: \"" + kafka.schemaRegistryUrl() + "\"",
                "data.dir: \"" + dir.resolve("gateway") + "\"",
                "gateway.id: " + GatewayItSupport.GATEWAY_ID,
                "consumer.session.timeout.ms: 6000",
                "outbox: \"" + outbox + "\"",
                // The child gateway must accept dispatches signed with the tests' dispatch key.
                "dispatch:",
                "  keysFile: \"" + GatewayItSupport.dispatchKeyFile(dir) + "\"",
                "timeouts:",
                "  default: PT60S",
                ""));
        String runId = EmbeddedKafkaExtension.uniqueId("crash-run");
        String args = "{\"to\":[\"ops@example.com\"],\"subject\":\"refund issued\"}";

        Process child = startChild(configFile);
        try (GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            it.startReading();
            it.dispatch(runId, "mail-1", "email.send", args);
            await().atMost(Duration.ofSeconds(60)).until(() -> lines(outbox) == 1);

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(it.results(runId)).as("the killed gateway published nothing").isEmpty();

            GatewayConfig config = GatewayConfig.fromYaml(configFile, Map.of());
            try (ToolGatewayApp restarted = ToolGatewayApp.start(config)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> it.results(runId).size() >= 1);
                ToolCallResult unknown = it.results(runId).get(0);
                assertThat(unknown.getCallId()).isEqualTo("mail-1");
                assertThat(unknown.getStatus()).isEqualTo(ToolCallStatus.OUTCOME_UNKNOWN);
                assertThat(lines(outbox)).as("no second side effect").isEqualTo(1);

                await().atMost(Duration.ofSeconds(30)).until(() -> it.keys.containsKey(restarted.keyId()));
                GatewayKey key = it.keys.get(unknown.getReceipt().getKeyId());
                assertThat(ReceiptCanonicalForm.verify(unknown.getReceipt(),
                        ReceiptCanonicalForm.decodePublicKey(key.getPublicKey()))).isTrue();

                // A duplicate dispatch of the same call runs nothing and reports nothing; the next call runs once.
                it.dispatch(runId, "mail-1", "email.send", args);
                it.dispatch(runId, "mail-2", "email.send", args);
                await().atMost(Duration.ofSeconds(60)).until(() -> it.results(runId).size() >= 2);
                List<ToolCallResult> results = it.results(runId);
                assertThat(results).extracting(ToolCallResult::getCallId).containsExactly("mail-1", "mail-2");
                assertThat(results.get(1).getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
                assertThat(lines(outbox)).isEqualTo(2);
            }
        } finally {
            child.destroyForcibly();
        }
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var stream = Files.lines(file)) {
            return stream.count();
        }
    }

    private Process startChild(Path configFile) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.tollgate.events",
                "-cp", System.getProperty("java.class.path"),
                HangingGatewayMain.class.getName(), configFile.toString())
                .redirectErrorStream(true);
        Process process = builder.start();
        AtomicBoolean ready = new AtomicBoolean();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.contains("GATEWAY-READY")) {
                        ready.set(true);
                    }
                    System.out.println("[child] " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "child-output");
        pump.setDaemon(true);
        pump.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> ready.get() || !process.isAlive());
        assertThat(process.isAlive()).as("child gateway started").isTrue();
        return process;
    }
}
