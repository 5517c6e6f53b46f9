package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy-processor, run as a child JVM, is killed with SIGKILL ({@code Process.destroyForcibly()}) five times
 * at random points of a steady load, and restarted each time on the same application id and state directory. Once
 * the load stops and the last instance has caught up, the raw ledger must hold exactly one decision per command,
 * valid chains with no seq gaps, and one dispatch per approval. The kill points are random (seed logged) in the
 * number of decisions committed since the instance came up.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProcessorCrashIT {

    private static final int KILLS = 5;
    private static final double TICKS_PER_SECOND = 60;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void everyCommandIsDecidedExactlyOnceOnIntactChainsAcrossFiveKills(EmbeddedKafka kafka) throws Exception {
        String prefix = EmbeddedKafkaExtension.uniqueId("crash");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("ProcessorCrashIT seed " + seed);
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        GovernedWorkload workload = new GovernedWorkload(prefix, prefix, 10, 30, 18);
        try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(kafka.bootstrapServers(), 0)) {
            GovernedLoad.seed(producer, serdes, workload, prefix);
        }
        IntakeSigner signer = IntakeSigner.atFile(dir.resolve("command-keys"));
        List<String> args = List.of(
                "bootstrap.servers=" + kafka.bootstrapServers(),
                "schema.registry.url=" + kafka.schemaRegistryUrl(),
                "application.id=" + prefix + "-policy-processor",
                "policy.bundle=" + prefix,
                "state.dir=" + dir.resolve("state"),
                "command.keys.file=" + signer.keyFile(),
                // A restarted instance takes the dead one's place at once (static membership) instead of waiting
                // for its session to time out; same state dir, so the same transactional id fences the zombie.
                "streams.consumer.group.instance.id=" + prefix + "-instance",
                "streams.consumer.session.timeout.ms=10000");

        List<Long> killedAt = new ArrayList<>();
        try (FaultSupport.LedgerCounter ledger = new FaultSupport.LedgerCounter(kafka.bootstrapServers(), workload);
             FaultSupport.SteadyLoad load = new FaultSupport.SteadyLoad(kafka.bootstrapServers(), serdes, workload,
                     signer, TICKS_PER_SECOND)) {
            Process child = startChild(args, 0);
            load.start();
            try {
                for (int kill = 1; kill <= KILLS; kill++) {
                    long before = ledger.count();
                    long more = 40 + random.nextInt(300);
                    await().atMost(Duration.ofSeconds(120)).until(() -> ledger.count() >= before + more);
                    child.destroyForcibly();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    killedAt.add(ledger.count());
                    System.out.println("ProcessorCrashIT kill " + kill + " after " + ledger.count()
                            + " decisions, " + load.sent() + " ticks sent");
                    child = startChild(args, kill);
                }
                long beforeStop = ledger.count();
                await().atMost(Duration.ofSeconds(120)).until(() -> ledger.count() >= beforeStop + 100);
                int ticks = load.stop();
                long expected = workload.commandCount(ticks);
                assertThat(killedAt).as("every kill came while commands were still arriving")
                        .allMatch(decided -> decided < expected);
                await().atMost(Duration.ofSeconds(180)).until(() -> ledger.count() >= expected);
                long checked = FaultSupport.audit(kafka.bootstrapServers(), serdes, workload, ticks);
                System.out.println("ProcessorCrashIT: " + ticks + " ticks, " + checked + " ledger events audited, "
                        + "kills after " + killedAt + " decisions");
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private Process startChild(List<String> args, int generation) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.tollgate.events,dev.tollgate.policy.state",
                "-cp", System.getProperty("java.class.path"), ProcessorMain.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        AtomicBoolean ready = new AtomicBoolean();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.contains(ProcessorMain.READY)) {
                        ready.set(true);
                    }
                    System.out.println("[processor " + generation + "] " + line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "processor-output-" + generation);
        pump.setDaemon(true);
        pump.start();
        await().atMost(Duration.ofSeconds(150)).until(() -> ready.get() || !process.isAlive());
        assertThat(process.isAlive()).as("child processor %d started", generation).isTrue();
        return process;
    }
}
