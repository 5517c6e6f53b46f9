package dev.tollgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.registry.SchemaRegistryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers of their own, since these tests stop and restart them. */
class RestartIT {

    private static final String TOPIC = "restart-probe";

    @TempDir
    Path dataDir;

    @Test
    void keepsRecordsAndSchemaIdsAcrossAFullRestartOnTheSameDataDir() {
        int gatewayKeyId;
        int killSwitchId;
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dataDir).start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(first.schemaRegistryUrl());
            gatewayKeyId = registry.register("a-value", GatewayKey.getClassSchema());
            killSwitchId = registry.register("b-value", KillSwitch.getClassSchema());
            createTopic(first);
            produce(first, "before-restart");
        }

        try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dataDir).start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(second.schemaRegistryUrl());
            assertThat(registry.subjects()).containsExactlyInAnyOrder("a-value", "b-value");
            assertThat(registry.schemaById(gatewayKeyId).getFullName()).isEqualTo("dev.tollgate.events.GatewayKey");
            assertThat(registry.schemaById(killSwitchId).getFullName()).isEqualTo("dev.tollgate.events.KillSwitch");
            assertThat(registry.register("a-value", GatewayKey.getClassSchema())).isEqualTo(gatewayKeyId);
            assertThat(registry.register("b-value", KillSwitch.getClassSchema())).isEqualTo(killSwitchId);
            // A new schema gets a new id, never one of the restored ones.
            Schema fresh = SchemaBuilder.record("Fresh").namespace("it").fields().requiredString("x").endRecord();
            assertThat(registry.register("c-value", fresh)).isNotIn(gatewayKeyId, killSwitchId);

            assertThat(TestClients.readValues(second, TOPIC, "read_committed", 1)).containsExactly("before-restart");
        }
    }

    @Test
    void restartsTheBrokerOnTheSamePortKeepingItsDataAndRefusesRegistrationsWhileItIsDown() {
        Path tempDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            tempDir = kafka.dataDir();
            String bootstrap = kafka.bootstrapServers();
            createTopic(kafka);
            produce(kafka, "first");
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(kafka.schemaRegistryUrl(),
                    Duration.ofSeconds(30));

            kafka.stopBroker();
            // Reads are answered from memory; a registration that cannot be made durable is refused.
            assertThat(registry.subjects()).isEmpty();
            assertThatThrownBy(() -> registry.register("lost-value", GatewayKey.getClassSchema()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(500));
            assertThat(registry.subjects()).isEmpty();

            kafka.restartBroker();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            produce(kafka, "second");
            assertThat(TestClients.readValues(kafka, TOPIC, "read_committed", 2)).containsExactly("first", "second");
            assertThat(registry.register("after-restart-value", GatewayKey.getClassSchema())).isPositive();
        }
        assertThat(tempDir).as("a temporary data directory is deleted on close").doesNotExist();
    }

    private static void createTopic(EmbeddedKafka kafka) {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void produce(EmbeddedKafka kafka, String value) {
        try (KafkaProducer<String, String> producer = TestClients.producer(kafka, Map.of())) {
            producer.send(new ProducerRecord<>(TOPIC, "key", value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
