package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.kafka.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's lifecycle against a real broker: /health/live and /health/ready on Javalin, and a clean close that
 * leaves the consumer group (so a restart is assigned its tasks at once, not after the 45 s session timeout).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProcessorLifecycleIT {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorLifecycleIT.class);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesHealthAndLeavesItsGroupOnClose(EmbeddedKafka kafka, @TempDir Path stateDir) throws Exception {
        String applicationId = EmbeddedKafkaExtension.uniqueId("lifecycle") + "-policy-processor";
        int port = FreePorts.next();
        Map<String, String> settings = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(), "application.id", applicationId,
                "state.dir", stateDir.toString(), "http.port", Integer.toString(port));

        PolicyProcessorApp first = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings));
        try {
            assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(first::ready);
            HttpResponse<String> ready = get(port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo(
                    "{\"status\":\"UP\",\"service\":\"policy-processor\",\"state\":\"RUNNING\"}");
            assertThat(get(port, "/health").statusCode()).isEqualTo(200);
            assertThat(members(kafka, applicationId)).isPositive();
        } finally {
            first.close();
        }
        assertThat(first.health().fatalError()).isNotDone();
        // Without leaving the group, the member would stay until its session timeout (45 s).
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> members(kafka, applicationId) == 0);

        long restart = System.nanoTime();
        try (PolicyProcessorApp second = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings))) {
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(second::ready);
            LOG.info("restarted processor ready in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart));
        }
    }

    private static int members(EmbeddedKafka kafka, String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId))
                    .describedGroups().get(groupId).get(10, TimeUnit.SECONDS);
            return group.members().size();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
