package dev.tollgate.launcher;

import dev.tollgate.events.config.ConfigDeclaration;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.projector.ProjectorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * The configuration reference of every service, from the one declaration of each ({@link ConfigDeclaration}): the
 * service commands' {@code --help} and {@code docs/configuration.md} (checked to be current by a test).
 */
final class ConfigReference {

    /** Service command name to its declaration, in documentation order. */
    static final Map<String, ConfigDeclaration> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("intake", IntakeConfig.DECLARATION);
        SERVICES.put("policy-processor", PolicyProcessorConfig.DECLARATION);
        SERVICES.put("projector", ProjectorConfig.DECLARATION);
        SERVICES.put("tool-gateway", GatewayConfig.DECLARATION);
    }

    private ConfigReference() {
    }

    /** Puts each service's keys in the footer of its command's {@code --help}. */
    static void addToHelp(CommandLine root) {
        SERVICES.forEach((name, declaration) -> {
            CommandLine command = root.getSubcommands().get(name);
            if (command != null) {
                // Picocli footers are format strings: a literal % must be doubled.
                command.getCommandSpec().usageMessage().footer("", declaration.helpText().replace("%", "%%"));
            }
        });
    }

    /** The whole of docs/configuration.md. */
    static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration\n\n");
        md.append("Generated from the services' config declarations (Kafka's `ConfigDef`: type, default, validator "
                + "and doc per key);\n`ConfigurationDocTest` fails when this file is not current. Regenerate it "
                + "with\n`mvn -B -pl launcher -am test -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests="
                + "false`\nand copy `launcher/target/configuration.md` here. The same text is in each service "
                + "command's `--help`.\n\n");
        md.append("Every service takes its keys, each later source winning, from:\n\n");
        md.append("1. the defaults below;\n");
        md.append("2. `--config FILE`: Java properties (`key=value`), or YAML where nested maps are dotted keys "
                + "(the tool gateway's\n   `deploy/gateway.yaml`);\n");
        md.append("3. `--client-config FILE` (or `TOLLGATE_CLIENT_CONFIG`): Kafka client properties, read as "
                + "`kafka.*` keys;\n");
        md.append("4. the environment: `TOLLGATE_` and the key upper-cased with `.` as `_` (`max.body.bytes` is "
                + "`TOLLGATE_MAX_BODY_BYTES`);\n   variables of keys a service does not declare are ignored;\n");
        md.append("5. the command's flags (`--bootstrap-servers`, `--port`, `--state-dir`, ...), then "
                + "`--set KEY=VALUE`.\n\n");
        md.append("Unknown keys and invalid values stop the service at start, naming the key. Keys under `kafka.` "
                + "pass through,\nwithout the prefix, to every Kafka client of the service (e.g. "
                + "`kafka.security.protocol=SASL_SSL`); their values\nare never printed. Kafka client settings do "
                + "not come from environment variables: put them in a client config file,\nwith "
                + "`config.providers=env` for secrets (`password=\"${env:TOLLGATE_KAFKA_PASSWORD}\"`). `tollgate dev` "
                + "sets its\nservices' keys itself and reads no service variables except `TOLLGATE_ADMIN_KEY`.\n");
        SERVICES.forEach((name, declaration) -> md.append("\n## ").append(name).append(" (`tollgate ").append(name)
                .append("`)\n\n").append(declaration.markdown()));
        return md.toString();
    }
}
