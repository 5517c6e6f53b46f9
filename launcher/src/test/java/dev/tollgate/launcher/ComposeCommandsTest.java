package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.gateway.GatewayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docker-compose.yml runs the {@code tollgate} image with commands (the services with a {@code command} and the
 * image's own entrypoint): each
 * one whose subcommand this launcher has must parse
 * (a renamed or missing flag is a failed container in production). Compose variables are replaced by their
 * defaults. Commands of subcommands this branch does not have yet are listed, not silently passed.
 */
class ComposeCommandsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::-([^}]*))?}");

    @Test
    void everyComposeCommandOfAnExistingSubcommandParses() throws IOException {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile())
                .get("services");
        List<String> checked = new ArrayList<>();
        List<String> notHere = new ArrayList<>();
        CommandLine root = Tollgate.commandLine();
        services.properties().forEach(service -> {
            JsonNode command = service.getValue().get("command");
            JsonNode image = service.getValue().get("image");
            if (command == null || service.getValue().has("entrypoint")
                    || image != null && !image.asText().startsWith("tollgate:")) {
                return;
            }
            List<String> args = new ArrayList<>();
            command.forEach(arg -> args.add(withDefaults(arg.asText())));
            if (!root.getSubcommands().containsKey(args.get(0))) {
                notHere.add(args.get(0));
                return;
            }
            assertThatCode(() -> Tollgate.commandLine().parseArgs(args.toArray(String[]::new)))
                    .as("service %s: tollgate %s", service.getKey(), String.join(" ", args))
                    .doesNotThrowAnyException();
            checked.add(service.getKey());
        });
        assertThat(checked).contains("init", "acls", "policy-init", "tool-gateway", "ledger-projector");
        assertThat(notHere).isSubsetOf("policy-processor", "intake");
    }

    @Test
    void theComposeGatewayConfigCreatesNoTopicsAndTakesTheClientConfig() {
        GatewayConfig config = GatewayConfig.fromYaml(ROOT.resolve("deploy/gateway.yaml"),
                ClientConfigFile.load(ROOT.resolve("deploy/clients/secure/tool-gateway.properties"),
                        GatewayConfig.KAFKA_PREFIX));
        assertThat(config.createTopics()).isFalse();
        assertThat(config.kafkaClientConfig()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", "/etc/tollgate/tls/ca.crt")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("config.providers", "env");
    }

    @Test
    void everySecureClientConfigAuthenticatesAsItsOwnUserWithAPasswordFromTheEnvironment() {
        Map<String, String> users = Map.of("admin", "admin", "intake", "intake", "ledger-projector",
                "ledger-projector", "policy-processor", "policy-processor", "tool-gateway", "tool-gateway");
        users.forEach((file, user) -> {
            Map<String, String> config = ClientConfigFile.load(
                    ROOT.resolve("deploy/clients/secure/" + file + ".properties"));
            assertThat(config.get("sasl.jaas.config")).as(file)
                    .contains("username=\"" + user + "\"", "password=\"${env:TOLLGATE_KAFKA_PASSWORD}\"");
        });
    }

    private static String withDefaults(String value) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(2) == null ? "" : matcher.group(2)));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
