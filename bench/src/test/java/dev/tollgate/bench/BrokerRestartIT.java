package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is stopped and restarted on the same data directory while agents keep sending commands and the
 * policy-processor keeps deciding. Once the broker is back, every command sent (each one acknowledged by the
 * broker, before or after the outage) is decided exactly once, on intact chains without seq gaps.
 */
class BrokerRestartIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void nothingIsLostOrDecidedTwiceAcrossABrokerRestartUnderLoad() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start()) {
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
            GovernedWorkload workload = new GovernedWorkload("restart", "restart", 10, 30, 18);
            try (KafkaProducer<String, byte[]> producer = GovernedLoad.producer(kafka.bootstrapServers(), 0)) {
                GovernedLoad.seed(producer, serdes, workload, "default");
            }
            IntakeSigner signer = IntakeSigner.atFile(dir.resolve("command-keys"));
            PolicyProcessorConfig config = PolicyProcessorConfig.from(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", kafka.schemaRegistryUrl(),
                    "state.dir", dir.resolve("state").toString(),
                    "command.keys.file", signer.keyFile().toString()));
            try (PolicyProcessorApp processor = PolicyProcessorApp.start(config);
                 FaultSupport.SteadyLoad load = new FaultSupport.SteadyLoad(kafka.bootstrapServers(), serdes,
                         workload, signer, 60);
                 FaultSupport.LedgerCounter ledger = new FaultSupport.LedgerCounter(kafka.bootstrapServers(),
                         workload)) {
                await().atMost(Duration.ofSeconds(120)).until(processor::ready);
                load.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.count() >= 300);

                kafka.stopBroker();
                int sentWhenStopped = load.sent();
                // Agents keep calling while the broker is down (their sends block on metadata, then retry), and
                // the processor must ride the outage out rather than shut down.
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(processor::ready);
                kafka.restartBroker();
                long afterRestart = ledger.count();

                await().atMost(Duration.ofSeconds(120)).until(() -> ledger.count() >= afterRestart + 300);
                int ticks = load.stop();
                long expected = workload.commandCount(ticks);
                await().atMost(Duration.ofSeconds(120)).until(() -> ledger.count() >= expected);
                assertThat(processor.ready()).as("the processor survived the outage").isTrue();
                long checked = FaultSupport.audit(kafka.bootstrapServers(), serdes, workload, ticks);
                System.out.println("BrokerRestartIT: " + ticks + " ticks (" + (load.sent() - sentWhenStopped)
                        + " sent from the stop on), " + checked + " ledger events audited");
            }
        }
    }
}
