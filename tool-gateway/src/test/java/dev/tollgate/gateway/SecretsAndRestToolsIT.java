package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REST tool of {@code http_tools} with a {@code ${secret:...}} header, against a local HTTP server: the upstream
 * receives the secret, and neither any topic's bytes (keys, values, headers of every topic on the broker) nor the
 * gateway's log output (captured at DEBUG) contains it. Also: URL path parameters are encoded, and a REST tool
 * outside the egress allow-list is refused.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SecretsAndRestToolsIT {

    @TempDir
    Path dir;

    @Test
    void injectsTheSecretUpstreamOnlyAndNeverOnATopicOrInALog(EmbeddedKafka kafka) throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("helpdesk"), secret + "\n");
        List<String> seenAuthorization = new CopyOnWriteArrayList<>();
        List<String> seenPaths = new CopyOnWriteArrayList<>();
        List<String> seenBodies = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/api/", exchange -> {
            seenAuthorization.add(exchange.getRequestHeaders().getFirst("Authorization"));
            seenPaths.add(exchange.getRequestURI().getRawPath());
            seenBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"id\":42,\"state\":\"open\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int port = upstream.getAddress().getPort();
        Path yaml = dir.resolve("gateway.yaml");
        Files.writeString(yaml, """
                secrets: %s
                egress:
                  allow: ["http://127.0.0.1:%d/api/"]
                http_tools:
                  - name: tickets.create
                    method: POST
                    url: "http://127.0.0.1:%d/api/tickets/{queue}"
                    headers: {Authorization: "Bearer ${secret:helpdesk}"}
                    body: args
                  - name: tickets.outside
                    method: GET
                    url: "http://127.0.0.1:%d/elsewhere/{queue}"
                    headers: {Authorization: "Bearer ${secret:helpdesk}"}
                """.formatted(secrets, port, port, port));
        GatewayConfig config = GatewayConfig.fromYaml(yaml, Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(),
                "data.dir", dir.resolve("gateway").toString(),
                "gateway.id", GatewayItSupport.GATEWAY_ID,
                "consumer.session.timeout.ms", "6000",
                "dispatch.keysFile", GatewayItSupport.dispatchKeyFile(dir).toString()));
        String runId = EmbeddedKafkaExtension.uniqueId("secret-run");

        StringWriter logs = new StringWriter();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration logConfig = context.getConfiguration();
        WriterAppender capture = WriterAppender.newBuilder().setName("secret-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m %ex%n").build()).build();
        capture.start();
        logConfig.addAppender(capture);
        LoggerConfig tollgate = logConfig.getLoggerConfig("dev.tollgate");
        Level before = tollgate.getLevel();
        tollgate.setLevel(Level.DEBUG);
        logConfig.getRootLogger().addAppender(capture, Level.ALL, null);
        tollgate.addAppender(capture, Level.ALL, null);
        context.updateLoggers();
        try (ToolGatewayApp gateway = ToolGatewayApp.start(config);
             GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            it.startReading();
            it.dispatch(runId, "create-1", "tickets.create", "{\"queue\":\"support team\",\"title\":\"refund\"}");
            it.dispatch(runId, "outside-1", "tickets.outside", "{\"queue\":\"x\"}");
            it.dispatch(runId, "missing-param", "tickets.create", "{\"title\":\"no queue\"}");
            await().atMost(Duration.ofSeconds(60)).until(() -> it.results(runId).size() >= 3);

            ToolCallResult created = byCall(it.results(runId), "create-1");
            assertThat(created.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
            assertThat(CanonicalJson.parse(created.getResultJson()).path("body").path("id").asInt()).isEqualTo(42);
            assertThat(seenAuthorization).containsExactly("Bearer " + secret);
            assertThat(seenPaths).containsExactly("/api/tickets/support%20team");
            assertThat(CanonicalJson.parse(seenBodies.get(0)).path("title").asText()).isEqualTo("refund");

            ToolCallResult outside = byCall(it.results(runId), "outside-1");
            assertThat(outside.getStatus()).isEqualTo(ToolCallStatus.FAILED);
            assertThat(outside.getErrorClass()).endsWith("EgressDeniedException");
            assertThat(byCall(it.results(runId), "missing-param").getError()).contains("needs argument 'queue'");
            assertThat(seenAuthorization).hasSize(1);
        } finally {
            logConfig.getRootLogger().removeAppender("secret-capture");
            tollgate.removeAppender("secret-capture");
            tollgate.setLevel(before);
            context.updateLoggers();
            capture.stop();
            upstream.stop(0);
        }

        assertThat(logs.toString()).as("the captured log output").contains("tickets.create")
                .doesNotContain(secret);
        List<String> topics = new ArrayList<>();
        long records = scanEveryTopic(kafka.bootstrapServers(), secret.getBytes(StandardCharsets.UTF_8), topics);
        assertThat(topics).contains("tollgate.tool-results.v1", "tollgate.dispatch.v1");
        assertThat(records).isPositive();
    }

    private static ToolCallResult byCall(List<ToolCallResult> results, String callId) {
        return results.stream().filter(r -> r.getCallId().equals(callId)).findFirst().orElseThrow();
    }

    /** Reads every record of every topic (aborted ones too) and fails if any key, value or header holds the bytes. */
    private static long scanEveryTopic(String bootstrap, byte[] needle, List<String> topicsOut) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(props)) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(false))
                    .names().get();
            topicsOut.addAll(names);
            admin.describeTopics(names).allTopicNames().get().forEach((name, d) -> d.partitions()
                    .forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                    assertThat(contains(r.key(), needle) || contains(r.value(), needle))
                            .as("record %s-%d@%d holds the secret", r.topic(), r.partition(), r.offset()).isFalse();
                    for (Header h : r.headers()) {
                        assertThat(contains(h.value(), needle)).as("header %s of %s", h.key(), r.topic()).isFalse();
                    }
                }
            }
            assertThat(partitions).allSatisfy(p -> assertThat(consumer.position(p)).isEqualTo(ends.get(p)));
        }
        return count;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
