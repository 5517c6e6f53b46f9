package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate dlq list}: prints the dead letters of {@code tollgate.dlq.v1} as JSON lines — where each record
 * came from, why it was refused (the {@code tollgate.dlq.*} headers), and its original bytes in base64 — so an
 * operator can see what was skipped and re-produce it once fixed. Reads without a consumer group: it changes
 * nothing.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, subcommands = DlqCommand.List.class,
        description = "Inspect the dead-letter topic.")
public final class DlqCommand {

    /** {@code tollgate dlq list [--max N]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print every dead letter as a JSON line: source, reason, headers and original bytes.")
    static final class List implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper();

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--max", defaultValue = "1000", description = "Stop after this many records.")
        int max;

        @Override
        public Integer call() {
            Map<String, Object> config = new HashMap<>(cluster.clientConfig());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            int printed = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                java.util.List<TopicPartition> partitions = consumer.partitionsFor(Topics.DLQ.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (printed < max && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (printed++ >= max) {
                            break;
                        }
                        spec.commandLine().getOut().println(line(record));
                    }
                }
            }
            spec.commandLine().getOut().flush();
            return 0;
        }

        private static String line(ConsumerRecord<byte[], byte[]> record) {
            ObjectNode node = JSON.createObjectNode();
            node.put("partition", record.partition());
            node.put("offset", record.offset());
            node.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
            node.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
            ObjectNode headers = node.putObject("headers");
            for (Header header : record.headers()) {
                headers.put(header.key(), header.value() == null ? null
                        : new String(header.value(), StandardCharsets.UTF_8));
            }
            node.put("valueBase64", record.value() == null ? null
                    : Base64.getEncoder().encodeToString(record.value()));
            return node.toString();
        }
    }
}
