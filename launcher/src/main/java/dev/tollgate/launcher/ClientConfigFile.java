package dev.tollgate.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A Kafka client properties file given with {@code --client-config FILE} (for example SASL settings, with
 * {@code config.providers=env} so that passwords come from the environment), merged into every Kafka client a
 * command creates. Kafka resolves {@code ${env:VAR}} itself when the client is created; this class never does, so a
 * password given that way never passes through Tollgate's code. {@code bootstrap.servers} is refused in the file: it
 * comes from {@code --bootstrap-servers}.
 */
final class ClientConfigFile {

    private ClientConfigFile() {
    }

    /** The properties of {@code file}, or an empty map when {@code file} is null. */
    static Map<String, String> load(Path file) {
        Map<String, String> values = new TreeMap<>();
        if (file == null) {
            return values;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Kafka client config " + file + ": " + e, e);
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.equals("bootstrap.servers")) {
                throw new IllegalArgumentException(file + ": bootstrap.servers belongs in --bootstrap-servers, not in "
                        + "the client config file");
            }
            values.put(name, properties.getProperty(name).trim());
        }
        return values;
    }

    /** The properties of {@code file} with {@code prefix} before each name (a service config's pass-through keys). */
    static Map<String, String> load(Path file, String prefix) {
        Map<String, String> prefixed = new TreeMap<>();
        load(file).forEach((name, value) -> prefixed.put(prefix + name, value));
        return prefixed;
    }
}
