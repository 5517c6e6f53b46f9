package dev.tollgate.events.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration of one Tollgate service, declared once, Kafka's way: a {@link ConfigDef} gives every key its
 * type, default, validator and doc, and the same declaration parses values ({@link #parse}), reads them from the
 * environment ({@code TOLLGATE_<KEY>}, {@link #fromEnvironment}) and from a file ({@link #fromFile}), and renders
 * the launcher's {@code --help} ({@link #helpText}) and {@code docs/configuration.md} ({@link #markdown}).
 *
 * <p>Keys under {@link #KAFKA_PREFIX} pass through, without the prefix, to every Kafka client of the service; they
 * are never printed with their values. Old spellings can be kept working with {@link #alias}. Plumbing only: no
 * business rules live here.
 */
public final class ConfigDeclaration {

    /** The one pass-through prefix: {@code kafka.security.protocol} reaches the clients as security.protocol. */
    public static final String KAFKA_PREFIX = "kafka.";
    /** Environment variables of declared keys: {@code TOLLGATE_} and the key upper-cased, non-alphanumerics as _. */
    public static final String ENV_PREFIX = "TOLLGATE_";

    private final String service;
    private final ConfigDef def = new ConfigDef();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, String> openPrefixes = new LinkedHashMap<>();

    public ConfigDeclaration(String service) {
        this.service = service;
    }

    /**
     * Declares a key. {@code defaultValue} null: optional without default; {@link ConfigDef#NO_DEFAULT_VALUE}:
     * required.
     */
    public ConfigDeclaration define(String name, ConfigDef.Type type, Object defaultValue,
                                    ConfigDef.Validator validator, String doc) {
        def.define(name, type, defaultValue, validator, ConfigDef.Importance.MEDIUM, doc);
        return this;
    }

    /** Keeps an old spelling working: a key (or, ending in '.', a prefix) that is read as {@code current}. */
    public ConfigDeclaration alias(String old, String current) {
        aliases.put(old, current);
        return this;
    }

    /** Declares a family of keys under a prefix (e.g. {@code timeouts.<tool>}), validated by the service. */
    public ConfigDeclaration openPrefix(String prefix, String doc) {
        openPrefixes.put(prefix, doc);
        return this;
    }

    public String service() {
        return service;
    }

    public ConfigDef def() {
        return def;
    }

    /** The declared key names, in declaration order. */
    public List<String> names() {
        return List.copyOf(def.configKeys().keySet());
    }

    /** The environment variable of a key: {@code max.body.bytes} is {@code TOLLGATE_MAX_BODY_BYTES}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * The declared keys set in {@code env} (variables of undeclared names are ignored, so one environment can serve
     * several services). Kafka client settings do not come from variables: use a client config file with
     * {@code config.providers=env}, so secrets stay in the environment and out of every config map.
     */
    public Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names()) {
            String value = env.get(envName(name));
            if (value != null && !value.isBlank()) {
                values.put(name, value.trim());
            }
        }
        return values;
    }

    /** The key=value pairs of a Java properties file (declared keys, {@code kafka.*}, aliases: as {@link #parse}). */
    public static Map<String, String> fromFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            values.put(name, properties.getProperty(name).trim());
        }
        return values;
    }

    /**
     * The values with aliases resolved and trimmed; unknown keys are refused (all of them named at once), so a typo
     * is an error at start rather than a silently ignored setting.
     */
    public Map<String, String> normalize(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            String name = canonical(entry.getKey());
            boolean passThrough = name.startsWith(KAFKA_PREFIX) && name.length() > KAFKA_PREFIX.length();
            boolean open = openPrefixes.keySet().stream()
                    .anyMatch(p -> name.startsWith(p) && name.length() > p.length());
            if (!def.configKeys().containsKey(name) && !passThrough && !open) {
                unknown.add(entry.getKey());
            } else {
                values.put(name, entry.getValue().trim());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException(service + ": unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; see `tollgate " + service + " --help` or docs/configuration.md");
        }
        return values;
    }

    private String canonical(String name) {
        String alias = aliases.get(name);
        if (alias != null) {
            return alias;
        }
        for (Map.Entry<String, String> prefix : aliases.entrySet()) {
            if (prefix.getKey().endsWith(".") && name.startsWith(prefix.getKey())) {
                return prefix.getValue() + name.substring(prefix.getKey().length());
            }
        }
        return name;
    }

    /** Parses and validates the values against the declaration (a {@link ConfigException} names the bad key). */
    public ParsedConfig parse(Map<String, String> given) {
        return new ParsedConfig(this, normalize(given));
    }

    /** Plain-text reference of the keys, for a command's {@code --help}. */
    public String helpText() {
        StringBuilder text = new StringBuilder(
                "Configuration keys (--set KEY=VALUE, --config FILE, or TOLLGATE_<KEY>):\n");
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            text.append("  ").append(key.name).append(" (").append(typeName(key)).append(", default ")
                    .append(defaultText(key)).append(")  ").append(envName(key.name)).append('\n')
                    .append("      ").append(key.documentation).append('\n');
        }
        openPrefixes.forEach((prefix, doc) -> text.append("  ").append(prefix).append("<name>\n      ").append(doc)
                .append('\n'));
        text.append("  ").append(KAFKA_PREFIX).append("<client setting>\n      Passed to every Kafka client of the ")
                .append(service).append(" without the prefix (e.g. kafka.security.protocol=SASL_SSL).\n");
        aliases.forEach((old, current) -> text.append("  ").append(old).append(" is read as ").append(current)
                .append(" (old spelling)\n"));
        return text.toString();
    }

    /** A Markdown section: one table row per key, then the pass-through prefix and the old spellings. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| key | type | default | valid values | environment | description |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            md.append("| `").append(key.name).append("` | ").append(typeName(key)).append(" | ")
                    .append(cell(defaultText(key))).append(" | ")
                    .append(cell(key.validator == null ? "" : key.validator.toString())).append(" | `")
                    .append(envName(key.name)).append("` | ").append(cell(key.documentation)).append(" |\n");
        }
        openPrefixes.forEach((prefix, doc) -> md.append("| `").append(prefix).append("<name>` | | | | | ")
                .append(cell(doc)).append(" |\n"));
        md.append("| `").append(KAFKA_PREFIX).append("<client setting>` | | | | | Passed without the prefix to every "
                + "Kafka client of the service; values never printed. |\n");
        if (!aliases.isEmpty()) {
            md.append('\n').append("Old spellings still read: ");
            List<String> shown = new ArrayList<>();
            aliases.forEach((old, current) -> shown.add("`" + old + "` as `" + current + "`"));
            md.append(String.join(", ", shown)).append(".\n");
        }
        return md.toString();
    }

    private static String typeName(ConfigDef.ConfigKey key) {
        return key.type == ConfigDef.Type.PASSWORD ? "secret" : key.type.name().toLowerCase(Locale.ROOT);
    }

    private static String defaultText(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        if (key.defaultValue == null) {
            return "(none)";
        }
        if (key.defaultValue instanceof Password) {
            return "(hidden)";
        }
        String text = String.valueOf(key.defaultValue);
        return text.isEmpty() ? "\"\"" : text;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
