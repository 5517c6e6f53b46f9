package dev.tollgate.events.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Values parsed and validated against a {@link ConfigDeclaration} (Kafka's {@link AbstractConfig}, typed getters
 * included), plus the pass-through Kafka client settings and the family keys of open prefixes as given.
 * {@link #toString()} hides secrets and pass-through values.
 */
public final class ParsedConfig extends AbstractConfig {

    private final ConfigDeclaration declaration;
    private final Map<String, String> given;

    ParsedConfig(ConfigDeclaration declaration, Map<String, String> given) {
        super(declaration.def(), given, false);
        this.declaration = declaration;
        this.given = Map.copyOf(given);
    }

    public ConfigDeclaration declaration() {
        return declaration;
    }

    /** The values as given (normalized), for copies with one more value. */
    public Map<String, String> given() {
        return given;
    }

    /** Every {@code kafka.*} key, without the prefix. */
    public Map<String, String> kafkaClientConfig() {
        Map<String, String> client = new LinkedHashMap<>();
        given.forEach((name, value) -> {
            if (name.startsWith(ConfigDeclaration.KAFKA_PREFIX)) {
                client.put(name.substring(ConfigDeclaration.KAFKA_PREFIX.length()), value);
            }
        });
        return client;
    }

    /** The value of a key of an open family ({@code timeouts.fs.read}), or null. */
    public String family(String name) {
        return given.get(name);
    }

    /** The effective value of a declared key as text ({@code null} when unset; secrets in clear: never log it). */
    public String text(String name) {
        Object value = values().get(name);
        if (value instanceof Password password) {
            return password.value();
        }
        return value == null ? null : String.valueOf(value);
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>();
        values().forEach((name, value) -> {
            ConfigDef.ConfigKey key = declaration.def().configKeys().get(name);
            shown.put(name, key != null && key.type == ConfigDef.Type.PASSWORD && value != null ? "(hidden)" : value);
        });
        given.keySet().stream().filter(n -> !declaration.def().configKeys().containsKey(n))
                .forEach(n -> shown.put(n, n.startsWith(ConfigDeclaration.KAFKA_PREFIX) ? "(hidden)" : given.get(n)));
        return declaration.service() + shown;
    }
}
