package dev.tollgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.AvroSerde;
import dev.tollgate.events.serde.TollgateSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records written by Tollgate's serde are read unchanged by Confluent's own Python client: confluent-kafka's
 * AvroConsumer parses the wire format, fetches the writer schema by id from the embedded registry and decodes with
 * Apache Avro's Python library, with none of Tollgate's code involved. Needs {@code /usr/bin/python3} with the
 * Debian packages python3-confluent-kafka and python3-avro ({@code .ci/run} installs them where it can); skipped,
 * saying so, where they are missing.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ConfluentPythonClientIT {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/confluent_read.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void confluentPythonClientReadsWhatTheSerdeWrote(EmbeddedKafka kafka) throws Exception {
        assumeTrue(confluentPythonClientInstalled(), "python3-confluent-kafka and python3-avro are not installed");
        String ledgerTopic = EmbeddedKafkaExtension.uniqueId("tollgate-it.python-ledger");
        String killTopic = EmbeddedKafkaExtension.uniqueId("tollgate-it.python-kill");
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        LedgerEvent event = LedgerEvent.newBuilder()
                .setRunId("run-py").setSeq(1).setEventId("e-1").setOccurredAt(Instant.ofEpochMilli(1_795_000_000_123L))
                .setTenantId("acme").setPrincipalId("agent-1").setPolicyVersion("2026.11.22-1")
                .setPrevHash(LedgerHash.GENESIS)
                .setPayload(RunHalted.newBuilder().setReasons(List.of(Reason.newBuilder()
                        .setCode(ReasonCode.KILL_SWITCH).setRuleId("tenant:acme").setMessage("incident 42")
                        .setSuggest(List.of("search_docs")).build())).build())
                .build();
        KillSwitch kill = KillSwitch.newBuilder().setScope(KillSwitchScope.TENANT).setTarget("acme").setEngaged(true)
                .setReason("incident 42").setUpdatedAt(Instant.ofEpochMilli(1_795_000_000_000L)).setUpdatedBy("ops")
                .build();

        produce(kafka, ledgerTopic, "run-py", serdes.avro(LedgerEvent.class), event);
        produce(kafka, killTopic, "tenant:acme", serdes.avro(KillSwitch.class), kill);

        JsonNode ledger = readWithPython(kafka, ledgerTopic).get(0);
        assertThat(ledger.path("key").asText()).isEqualTo("run-py");
        JsonNode value = ledger.path("value");
        assertThat(value.path("runId").asText()).isEqualTo("run-py");
        assertThat(value.path("seq").asLong()).isEqualTo(1);
        assertThat(value.path("prevHash").asText()).isEqualTo(LedgerHash.GENESIS);
        assertThat(value.path("policyVersion").asText()).isEqualTo("2026.11.22-1");
        String occurredAt = event.getOccurredAt().toString().replace('T', ' ').replace("Z", "");
        assertThat(value.path("occurredAt").asText()).startsWith(occurredAt);
        JsonNode reason = value.path("payload").path("reasons").get(0);
        assertThat(reason.path("code").asText()).isEqualTo("KILL_SWITCH");
        assertThat(reason.path("message").asText()).isEqualTo("incident 42");
        assertThat(reason.path("suggest").get(0).asText()).isEqualTo("search_docs");

        JsonNode killValue = readWithPython(kafka, killTopic).get(0).path("value");
        assertThat(killValue.path("scope").asText()).isEqualTo("TENANT");
        assertThat(killValue.path("engaged").asBoolean()).isTrue();
        assertThat(killValue.path("updatedBy").asText()).isEqualTo("ops");
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> void produce(
            EmbeddedKafka kafka, String topic, String key, AvroSerde<T> serde, T value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, serde.serialize(topic, value))).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<JsonNode> readWithPython(EmbeddedKafka kafka, String topic) throws Exception {
        Path stderr = Files.createTempFile("confluent-python", ".err");
        Process process = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), kafka.bootstrapServers(),
                kafka.schemaRegistryUrl(), topic, "1")
                .redirectError(stderr.toFile())
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("python client finished").isTrue();
        assertThat(process.exitValue()).as("python client exit code; output: %s; errors: %s", out,
                Files.readString(stderr)).isZero();
        Files.deleteIfExists(stderr);
        List<JsonNode> records = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));
            }
        }
        assertThat(records).hasSize(1);
        return records;
    }

    private static boolean confluentPythonClientInstalled() throws InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process probe = new ProcessBuilder(PYTHON.toString(), "-c",
                    "import confluent_kafka.avro, avro").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
