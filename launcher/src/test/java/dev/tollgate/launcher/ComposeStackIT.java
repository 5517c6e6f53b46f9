package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The production stack, as docker-compose.yml defines it in its secure mode ({@code deploy/secure.env}): Apache
 * Kafka with SASL/SCRAM over TLS (development certificates from the {@code certs} service) and the StandardAuthorizer, Confluent Schema Registry, and the Tollgate services built from
 * ./Dockerfile. Checks that intake answers {@code GET /health/ready} and that, at the broker, the {@code agent} user may
 * write commands but not the ledger. Runs only where a Docker engine (with the compose plugin) is available; the
 * first run builds the image, hence the long start-up timeout.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<String, String> SECURE_ENV = secureEnv();

    @Container
    static final ComposeContainer STACK = new ComposeContainer(new File(ROOT.toFile(), "docker-compose.yml"))
            .withLocalCompose(true)
            .withBuild(true)
            .withEnv(SECURE_ENV)
            .withExposedService("intake", 1, 8080, Wait.forHttp("/health/ready").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(20)))
            .withExposedService("ledger-projector", 1, 8082, Wait.forHttp("/health/ready").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(5)))
            .withRemoveVolumes(true);

    @Test
    void intakeIsHealthy() throws Exception {
        String host = STACK.getServiceHost("intake", 8080);
        int port = STACK.getServicePort("intake", 8080);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void theBrokerRefusesTheAgentsWritesToTheLedgerAndAcceptsItsCommands() throws Exception {
        ContainerState kafka = STACK.getContainerByServiceName("kafka-1").orElseThrow();

        ExecResult ledger = produceAsAgent(kafka, "tollgate.ledger.v1");
        assertThat(ledger.getStdout() + ledger.getStderr())
                .contains("TopicAuthorizationException", "tollgate.ledger.v1");

        ExecResult commands = produceAsAgent(kafka, "tollgate.commands.v1");
        assertThat(commands.getStdout() + commands.getStderr()).doesNotContain("AuthorizationException");
        assertThat(commands.getExitCode()).isZero();
    }

    /** One record to {@code topic}, with Kafka's console producer inside the broker's container, as {@code agent}. */
    private static ExecResult produceAsAgent(ContainerState kafka, String topic) throws IOException,
            InterruptedException {
        String script = String.join("\n",
                "cat > /tmp/agent.properties <<'PROPS'",
                "security.protocol=SASL_SSL",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=/etc/tollgate/tls/ca.crt",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"agent\" password=\"" + SECURE_ENV.get("TOLLGATE_PASSWORD_AGENT") + "\";",
                "PROPS",
                "echo 'run-compose-it:forged' | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "
                        + "kafka-1:9092 --topic " + topic + " --producer.config /tmp/agent.properties "
                        + "--property parse.key=true --property key.separator=: "
                        + "--producer-property max.block.ms=20000 --producer-property delivery.timeout.ms=30000 "
                        + "--producer-property request.timeout.ms=20000 2>&1");
        return kafka.execInContainer("bash", "-c", script);
    }

    /** deploy/secure.env as variables, the secure profile, and a bootstrap admin key for intake. */
    private static Map<String, String> secureEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(ROOT.resolve("deploy/secure.env"))) {
                String trimmed = line.trim();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains("=")) {
                    env.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read deploy/secure.env", e);
        }
        env.put("COMPOSE_PROFILES", "secure");
        env.put("TOLLGATE_ADMIN_KEY", "compose-it-admin-key");
        return env;
    }
}
