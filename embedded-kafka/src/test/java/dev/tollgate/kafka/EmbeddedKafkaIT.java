package dev.tollgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaIT {

    @Test
    void createsEveryTopicOfTheContractWithItsPartitionsAndConfigs(EmbeddedKafka kafka) throws Exception {
        List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
        try (Admin admin = kafka.admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
            List<ConfigResource> resources = names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();

            for (TopicSpec<String, ?> spec : Topics.ALL) {
                assertThat(topics.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                spec.configs().forEach((key, value) ->
                        assertThat(config.get(key).value()).as(spec.name() + " " + key).isEqualTo(value));
            }
            // Idempotent: creating them again creates nothing and does not fail.
            assertThat(TopicProvisioner.createMissing(admin, Topics.ALL)).isEmpty();
        }
    }

    @Test
    void bringsTheTimestampTypeOfATopicCreatedBeforeItWasInTheSpecToTheSpec(EmbeddedKafka kafka) throws Exception {
        // A topic from an older data directory: created with the broker's default, CreateTime.
        String name = EmbeddedKafkaExtension.uniqueId("old-commands");
        TopicSpec<String, byte[]> spec = new TopicSpec<>(name, String.class, byte[].class, 1,
                Topics.COMMANDS.configs(), "test", "a time-retained topic created before LogAppendTime");
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicSpec.TIMESTAMP_TYPE).value()).isEqualTo("CreateTime");

            assertThat(TopicProvisioner.createMissing(admin, List.of(spec))).isEmpty();

            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicSpec.TIMESTAMP_TYPE).value()).isEqualTo(TopicSpec.LOG_APPEND_TIME);
            assertThat(TopicProvisioner.alignTimestampTypes(admin, List.of(spec))).isEmpty();
        }
    }

    @Test
    void readCommittedConsumerSeesCommittedTransactionsOnly(EmbeddedKafka kafka) throws Exception {
        String topic = EmbeddedKafkaExtension.uniqueId("tx");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = TestClients.producer(kafka,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, EmbeddedKafkaExtension.uniqueId("tx-producer")))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "run-1", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "run-1", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "run-1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "run-1", "committed-2"));
            producer.commitTransaction();
        }

        assertThat(TestClients.readValues(kafka, topic, "read_committed", 2))
                .containsExactly("committed-1", "committed-2");
        // The aborted records are in the log: only the isolation level hides them.
        assertThat(TestClients.readValues(kafka, topic, "read_uncommitted", 4))
                .containsExactly("aborted-1", "aborted-2", "committed-1", "committed-2");
    }

    @Test
    void uniqueIdsAreDistinctAndKeepThePrefix() {
        List<String> ids = IntStream.range(0, 100).mapToObj(i -> EmbeddedKafkaExtension.uniqueId("app")).toList();
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("app-[0-9a-f]{8}"));
    }
}
