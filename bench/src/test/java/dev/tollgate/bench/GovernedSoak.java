package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak profile ({@code mvn -pl bench -am verify -Psoak [-Dsoak.minutes=30 -Dsoak.rate=200]}, never in CI):
 * the governed workload at a steady rate for {@code soak.minutes}, measured in consecutive 10-second windows, each
 * logging p50/p99/max latency, decisions lost and the heap in use. Fails only if a decision goes missing; the
 * numbers are for the reader.
 */
class GovernedSoak {

    private static final Duration WINDOW = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void decidesEveryCallAtASteadyRateForTheWholeSoak() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "30"));
        double rate = Double.parseDouble(System.getProperty("soak.rate", "200"));
        long windows = Math.max(1, Math.round(minutes * 60 / WINDOW.toSeconds()));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start()) {
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
            try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(kafka.bootstrapServers(), 0)) {
                GovernedLoad.seed(producer, serdes, new GovernedWorkload("soak", "soak", 50, 200, 18), "default");
            }
            IntakeSigner signer = IntakeSigner.atFile(dir.resolve("command-keys"));
            try (PolicyProcessorApp processor = PolicyProcessorApp.start(PolicyProcessorConfig.from(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", kafka.schemaRegistryUrl(),
                    "state.dir", dir.resolve("state").toString(), "command.keys.file", signer.keyFile().toString())));
                 KafkaProducer<String, byte[]> producer = GovernedLoad.producer(kafka.bootstrapServers(), 0);
                 KafkaConsumer<String, byte[]> consumer =
                         new KafkaConsumer<>(RawBaseline.consumerProps(kafka.bootstrapServers()))) {
                await().atMost(Duration.ofMinutes(2)).until(processor::ready);
                long lost = 0;
                for (long w = 0; w < windows; w++) {
                    GovernedWorkload workload = new GovernedWorkload("soak-w" + w, "soak", 50, 200, 18);
                    BenchResult result = FixedRateRun.run("governed", rate, Duration.ZERO, WINDOW,
                            Duration.ofSeconds(30), new GovernedLoad(workload, producer, serdes, signer), consumer,
                            Topics.LEDGER.name());
                    lost += result.lost();
                    System.out.println(String.format(Locale.ROOT,
                            "soak window %d/%d: %.0f/s p50 %.2f ms p99 %.2f ms max %.2f ms lost %d heap %d MiB",
                            w + 1, windows, result.achievedRate(), result.p50(), result.p99(), result.max(),
                            result.lost(), memory.getHeapMemoryUsage().getUsed() / (1024 * 1024)));
                }
                assertThat(lost).as("decisions missing").isZero();
                assertThat(processor.ready()).isTrue();
            }
        }
    }
}
