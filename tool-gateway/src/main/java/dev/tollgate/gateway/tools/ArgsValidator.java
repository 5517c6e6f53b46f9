package dev.tollgate.gateway.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.tollgate.events.hash.CanonicalJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Validates tool arguments against JSON Schemas (draft 2020-12 unless the schema says otherwise, formats asserted).
 * Compiled schemas are cached by their canonical text. Remote {@code $ref}s are never fetched: the library's
 * default loader does not reach the network, so a schema cannot make the gateway call out.
 */
public final class ArgsValidator {

    private static final int MAX_CACHED = 1024;

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .formatAssertionsEnabled(true).build()));
    private final Map<String, Schema> cache = new ConcurrentHashMap<>();

    /**
     * Checks {@code args} against {@code schemaJson}.
     *
     * @throws ArgsInvalidException listing every violation, or when the schema itself is not valid
     */
    public void validate(String schemaJson, JsonNode args, String what) throws ArgsInvalidException {
        Schema schema;
        try {
            String canonical = CanonicalJson.canonicalize(schemaJson);
            schema = cache.get(canonical);
            if (schema == null) {
                schema = registry.getSchema(CanonicalJson.parse(canonical));
                if (cache.size() < MAX_CACHED) {
                    cache.put(canonical, schema);
                }
            }
        } catch (RuntimeException e) {
            throw new ArgsInvalidException(what + " is not a usable JSON Schema: " + e.getMessage());
        }
        List<Error> errors = schema.validate(args);
        if (!errors.isEmpty()) {
            throw new ArgsInvalidException("arguments do not match " + what + ": "
                    + errors.stream().map(Error::toString).collect(Collectors.joining("; ")));
        }
    }
}
