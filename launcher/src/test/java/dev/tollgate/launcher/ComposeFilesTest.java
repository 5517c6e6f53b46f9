package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Static checks of docker-compose.yml and its companions under deploy/ in each mode (plain, {@code deploy/ha.env},
 * {@code deploy/secure.env}, {@code deploy/ha-secure.env}): variables resolved as compose resolves them, then the
 * properties an operator relies on (a policy on first start, TLS and no unauthenticated registry in the secure mode,
 * the HA quorum from one flag, readiness healthchecks, Prometheus scraping every service, the dashboard charting
 * documented metrics). Where {@code docker-compose} is installed (.ci/run installs it best-effort), each mode is
 * also validated by compose itself. The running stack is {@link ComposeStackIT}'s.
 */
class ComposeFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::?[-?]([^}]*))?}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Integer> SERVICE_PORTS = Map.of("intake", 8080, "policy-processor", 8090,
            "tool-gateway", 8091, "ledger-projector", 8082);

    @ParameterizedTest
    @ValueSource(strings = {"", "deploy/ha.env", "deploy/secure.env", "deploy/ha-secure.env"})
    void everyModeStartsTheServicesAfterTheReferenceBundleIsPublishedAndProbesReadiness(String envFile)
            throws IOException {
        JsonNode services = compose(envFile).get("services");
        assertThat(services.path("policy-init").path("command").toString())
                .contains("\"policy\",\"publish\",\"--default\",\"--if-none\"");
        for (Map.Entry<String, Integer> service : SERVICE_PORTS.entrySet()) {
            JsonNode definition = services.get(service.getKey());
            assertThat(definition.path("depends_on").path("policy-init").path("condition").asText())
                    .as(service.getKey()).isEqualTo("service_completed_successfully");
            assertThat(definition.path("healthcheck").path("test").toString()).as(service.getKey())
                    .contains("http://localhost:" + service.getValue() + "/health/ready");
            assertThat(definition.path("command").toString()).as(service.getKey())
                    .contains(String.valueOf(service.getValue()));
        }
        assertThat(services.path("schema-registry").has("ports"))
                .as("the schema registry has no authentication: never published on the host").isFalse();
        assertThat(services.path("tollgate").path("profiles").toString()).contains("tools");
    }

    @Test
    void theSecureModeUsesTlsForKafkaAndHttpsInFrontOfTheApis() throws IOException {
        Map<String, String> env = envFile("deploy/secure.env");
        assertThat(env).containsEntry("COMPOSE_PROFILES", "secure").containsEntry("TOLLGATE_SECURE", "true")
                .containsEntry("SCHEMA_REGISTRY_PROTOCOL", "SASL_SSL").containsEntry("TOLLGATE_HTTP_BIND", "127.0.0.1");
        JsonNode services = compose("deploy/secure.env").get("services");
        for (String api : List.of("intake", "ledger-projector")) {
            assertThat(services.get(api).get("ports").get(0).asText()).as(api).startsWith("127.0.0.1:");
        }
        assertThat(services.path("tls-proxy").path("ports").toString()).contains("8443:8443", "8444:8444");
        String nginx = Files.readString(ROOT.resolve("deploy/proxy/nginx.conf"));
        assertThat(nginx).contains("listen 8443 ssl", "proxy_pass http://intake:8080", "listen 8444 ssl",
                "proxy_pass http://ledger-projector:8082", "/etc/tollgate/tls/proxy.crt");
        String start = Files.readString(ROOT.resolve("deploy/kafka/start.sh"));
        assertThat(start).contains("INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL", "ssl.keystore.type=PEM");
        try (var files = Files.list(ROOT.resolve("deploy/clients/secure"))) {
            for (Path file : files.toList()) {
                assertThat(ClientConfigFile.load(file)).as(file.toString())
                        .containsEntry("security.protocol", "SASL_SSL")
                        .containsEntry("ssl.truststore.location", "/etc/tollgate/tls/ca.crt");
            }
        }
        assertThat(services.path("certs").path("command").toString()).contains("dev", "/etc/tollgate/tls");
    }

    @Test
    void theHaModeIsOneFlagAndItsVotersAreItsBrokers() throws IOException {
        Map<String, String> env = envFile("deploy/ha.env");
        assertThat(env).containsEntry("COMPOSE_PROFILES", "ha").containsEntry("KAFKA_REPLICATION_FACTOR", "3");
        JsonNode services = compose("deploy/ha.env").get("services");
        Set<String> brokers = new TreeSet<>();
        services.properties().forEach(service -> {
            if (service.getKey().startsWith("kafka-")) {
                brokers.add(service.getValue().path("hostname").asText());
                assertThat(service.getValue().path("environment").path("VOTERS").asText())
                        .isEqualTo(env.get("KAFKA_VOTERS"));
            }
        });
        Set<String> voters = new TreeSet<>();
        for (String voter : env.get("KAFKA_VOTERS").split(",")) {
            voters.add(voter.substring(voter.indexOf('@') + 1, voter.indexOf(':')));
        }
        assertThat(voters).isEqualTo(brokers);
        assertThat(env.get("TOLLGATE_BOOTSTRAP").split(",")).hasSize(3);
        assertThat(Integer.parseInt(env.get("KAFKA_MIN_INSYNC_REPLICAS"))).isLessThan(3);
    }

    @Test
    void prometheusScrapesEveryServiceAndTheDashboardChartsOnlyDocumentedMetrics() throws IOException {
        JsonNode scrape = YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        scrape.path("scrape_configs").get(0).path("static_configs").forEach(c -> c.path("targets")
                .forEach(t -> targets.add(t.asText())));
        assertThat(targets).containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue()).toList());

        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("deploy/grafana/dashboards/tollgate.json")
                .toFile());
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        Pattern metric = Pattern.compile("\\b((?:tollgate|kafka)_[a-z_]+?)(?:_bucket|_count|_sum)?\\b");
        Set<String> charted = new TreeSet<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
            Matcher matcher = metric.matcher(target.path("expr").asText());
            while (matcher.find()) {
                charted.add(matcher.group(1));
            }
        }));
        assertThat(charted).isNotEmpty().allSatisfy(name -> assertThat(operations).as(name).contains(name));
        assertThat(dashboard.path("panels").toString()).contains("tollgate-prometheus");
        JsonNode grafana = compose("").get("services").get("grafana");
        assertThat(grafana.path("profiles").toString()).contains("observability");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "deploy/ha.env", "deploy/secure.env", "deploy/ha-secure.env"})
    void dockerComposeAcceptsEveryMode(String envFile) throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed (.ci/run installs it best-effort)");
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        if (!envFile.isEmpty()) {
            command.addAll(List.of("--env-file", envFile));
        }
        command.addAll(List.of("config", "-q"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("TOLLGATE_ADMIN_KEY", "compose-files-test");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** docker-compose.yml with the variables of {@code envFile} (none: defaults) resolved as compose does. */
    private static JsonNode compose(String envFile) throws IOException {
        Map<String, String> env = envFile.isEmpty() ? new LinkedHashMap<>() : envFile(envFile);
        env.putIfAbsent("TOLLGATE_ADMIN_KEY", "compose-files-test");
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String value = env.getOrDefault(matcher.group(1), matcher.group(2) == null ? "" : matcher.group(2));
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(resolved);
        // SnakeYAML resolves the merge keys (<<: *tollgate) that compose files use; Jackson's YAML reader does not.
        return new ObjectMapper().valueToTree(new Yaml().load(resolved.toString()));
    }

    private static Map<String, String> envFile(String name) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve(name))) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains("=")) {
                env.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
