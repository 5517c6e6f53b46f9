package dev.tollgate.gateway.upstream;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${secret:NAME}} and {@code ${env:NAME}} in the gateway's upstream settings (headers, URLs,
 * environment of stdio servers). Secrets come from a directory (the file {@code NAME}, trailing newline dropped) or
 * a properties file ({@code NAME=value}); {@code ${env:NAME}} from the gateway's environment. Resolution happens in
 * the gateway only, once at start: the resolved values are handed to the upstream clients and are never logged,
 * put on a topic, or written to a result or receipt. An unknown name fails the start, naming it (never its value).
 */
public final class Secrets {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(secret|env):([A-Za-z0-9._-]+)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final Function<String, Optional<String>> secrets;
    private final Function<String, Optional<String>> env;

    Secrets(Function<String, Optional<String>> secrets, Function<String, Optional<String>> env) {
        this.secrets = secrets;
        this.env = env;
    }

    /** Secrets from {@code location} (a directory or a properties file; none when empty) and the process env. */
    public static Secrets from(Optional<Path> location) {
        return from(location, System.getenv());
    }

    static Secrets from(Optional<Path> location, Map<String, String> environment) {
        Function<String, Optional<String>> env = name -> Optional.ofNullable(environment.get(name));
        if (location.isEmpty()) {
            return new Secrets(name -> Optional.empty(), env);
        }
        Path path = location.get();
        if (Files.isDirectory(path)) {
            return new Secrets(name -> readSecretFile(path, name), env);
        }
        if (Files.isRegularFile(path)) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                props.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the secrets file " + path, e);
            }
            return new Secrets(name -> Optional.ofNullable(props.getProperty(name)), env);
        }
        if (Files.exists(path)) {
            throw new IllegalArgumentException("secrets: " + path + " is neither a directory nor a file");
        }
        // Nothing there yet: fine while no setting refers to a secret; a reference fails the start naming it.
        return new Secrets(name -> Optional.empty(), env);
    }

    private static Optional<String> readSecretFile(Path dir, String name) {
        if (!NAME.matcher(name).matches() || name.startsWith(".")) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8);
            return Optional.of(value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret " + name + " from " + dir, e);
        }
    }

    /**
     * The text with every reference replaced.
     *
     * @param where names the setting in the error message, like {@code mcp.servers[crm].headers.Authorization}
     * @throws IllegalArgumentException naming the unknown secret or variable and the setting
     */
    public String resolve(String text, String where) {
        if (text == null) {
            return null;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String kind = m.group(1);
            String name = m.group(2);
            Optional<String> value = "secret".equals(kind) ? secrets.apply(name) : env.apply(name);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(where + " refers to " + ("secret".equals(kind)
                        ? "unknown secret '" + name + "' (not in the configured secrets)"
                        : "environment variable '" + name + "', which is not set"));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.get()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether the text refers to any secret or variable (such a value must never be logged). */
    public static boolean refersToSecrets(String text) {
        return text != null && REFERENCE.matcher(text).find();
    }
}
