package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.Topics;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.policy.engine.DefaultBundle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command whose event time is a month old, on a broker that enforces retention every half second: it is still
 * decided, its approved call is still dispatched, and neither the command nor the dispatch is deleted by the 7-day
 * retention of their topics, because those topics count retention from arrival ({@code LogAppendTime}). The same
 * broker deletes a month-old record of a topic that keeps producer time, which shows that retention really ran.
 */
class OldEventTimeIT {

    private static final Instant MONTH_AGO = Instant.now().minus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dirs;

    @Test
    void aCommandWithAMonthOldEventTimeIsDecidedAndDispatchedAndOutlivesRetention() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dirs.resolve("kafka"))
                .brokerProperty("log.retention.check.interval.ms", "500").start();
             ProcessorItSupport it = new ProcessorItSupport(kafka, "old-event-time")) {
            String agent = it.prefix + "-agent";
            it.identity(Identity.newBuilder().setPrincipalId(agent).setName(agent).setKind(PrincipalKind.AGENT)
                    .setTenantId(it.tenant).setApiKeySha256("0".repeat(64)).setCreatedAt(Instant.now())
                    .setUpdatedAt(Instant.now()).build());
            // The command topic uses LogAppendTime, so a record's timestamp is its arrival, and these commands'
            // issuedAt is a month before it: a replayed batch needs a command.max.skew.ms that covers its age, else
            // every command is refused as CLOCK_SKEW. 31 days covers this batch.
            it.start(DefaultBundle.yaml(), dirs.resolve("state"),
                    Map.of("command.max.skew.ms", Long.toString(Duration.ofDays(31).toMillis())));

            String runId = it.prefix + "-run";
            it.send(command(it, runId, agent, "admit", RequestRun.newBuilder().setWorkflow("support-triage")
                    .setEnvironment("staging").setClassification("Internal").build()), MONTH_AGO);
            for (int c = 0; c < 3; c++) {
                it.send(command(it, runId, agent, "call-" + c, RequestToolCall.newBuilder().setCallId("call-" + c)
                        .setTool("search_docs").setArgsJson("{\"q\":\"old " + c + "\"}").build()), MONTH_AGO);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                it.poll();
                return it.events(runId).stream().filter(e -> e.getPayload() instanceof ToolCallApproved).count() == 3;
            });
            assertThat(it.events(runId).get(0).getPayload()).isInstanceOf(RunAdmitted.class);
            assertThat(it.events(runId).get(0).getOccurredAt()).as("decided at its event time").isEqualTo(MONTH_AGO);

            proveRetentionRuns(kafka);

            // Retention has run since the command and its dispatches were written: both are still there.
            try (Admin admin = kafka.admin()) {
                for (String topic : List.of(Topics.COMMANDS.name(), Topics.DISPATCH.name())) {
                    List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get()
                            .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
                    Map<TopicPartition, OffsetSpec> earliest = partitions.stream()
                            .collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest()));
                    assertThat(admin.listOffsets(earliest).all().get().values())
                            .as("nothing of %s deleted by retention", topic).allMatch(o -> o.offset() == 0);
                }
            }
            List<ConsumerRecord<String, byte[]>> commands = read(kafka, Topics.COMMANDS.name(), runId, 4);
            assertThat(commands).extracting(ConsumerRecord::timestampType)
                    .containsOnly(TimestampType.LOG_APPEND_TIME);
            List<ConsumerRecord<String, byte[]>> dispatches = read(kafka, Topics.DISPATCH.name(), runId, 3);
            assertThat(dispatches).extracting(ConsumerRecord::timestampType)
                    .containsOnly(TimestampType.LOG_APPEND_TIME);
            assertThat(dispatches.stream().map(r -> it.serdes.value(Topics.DISPATCH).deserializer()
                    .deserialize(r.topic(), r.value())).map(ToolCallDispatch::getCallId).collect(Collectors.toSet()))
                    .isEqualTo(Set.of("call-0", "call-1", "call-2"));
        }
    }

    /** A month-old record on a topic that keeps producer time (CreateTime) is deleted by this broker's retention. */
    private static void proveRetentionRuns(EmbeddedKafka kafka) throws Exception {
        String control = "retention-control";
        TopicPartition partition = new TopicPartition(control, 0);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(control, 1, (short) 1).configs(Map.of("retention.ms",
                    Long.toString(Duration.ofDays(7).toMillis()))))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>(control, null, MONTH_AGO.toEpochMilli(), "k", "old")).get();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.listOffsets(Map.of(partition,
                    OffsetSpec.earliest())).all().get().get(partition).offset() > 0);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(EmbeddedKafka kafka, String topic, String key,
                                                             int expected) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, key + "-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        records.add(record);
                    }
                }
                return records.size() >= expected;
            });
        }
        return records;
    }

    private static Command command(ProcessorItSupport it, String runId, String agent, String id, Object payload) {
        return Command.newBuilder().setCommandId(runId + "-" + id).setRunId(runId).setTenantId(it.tenant)
                .setPrincipalId(agent).setIssuedAt(MONTH_AGO).setPayload(payload).build();
    }
}
