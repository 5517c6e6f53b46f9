package dev.tollgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.AvroSerde;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.serde.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class AvroSerdeIT {

    @Test
    void writesConfluentWireFormatThroughTheEmbeddedRegistryAndReadsItBack(EmbeddedKafka kafka) throws Exception {
        String topic = EmbeddedKafkaExtension.uniqueId("serde");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        GatewayKey key = GatewayKey.newBuilder().setKeyId("0123456789abcdef").setPublicKey("MCowBQYDK2VwAyEA")
                .setGatewayId("gw-1").setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
        AvroSerde<GatewayKey> writer = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()))
                .avro(GatewayKey.class);

        try (KafkaProducer<String, GatewayKey> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), writer.serializer())) {
            producer.send(new ProducerRecord<>(topic, key.getKeyId(), key)).get();
        }

        byte[] raw = readOne(kafka, topic);
        int id = WireFormat.schemaId(raw);
        RestSchemaRegistryClient freshClient = new RestSchemaRegistryClient(kafka.schemaRegistryUrl());
        assertThat(freshClient.subjects()).contains(topic + "-value");
        assertThat(freshClient.schemaById(id).getFullName()).isEqualTo("dev.tollgate.events.GatewayKey");

        // A reader with an empty cache resolves the writer schema by id through the REST API.
        AvroSerde<GatewayKey> reader = new TollgateSerdes(freshClient).avro(GatewayKey.class);
        assertThat(reader.deserialize(topic, raw)).isEqualTo(key);
        // The same schema on the contract's topic subject gets the same id.
        assertThat(reader.register(Topics.GATEWAY_KEYS.name())).isEqualTo(id);
    }

    private static byte[] readOne(EmbeddedKafka kafka, String topic) {
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, EmbeddedKafkaExtension.uniqueId("serde-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
        }
        return values.get(0);
    }
}
