package dev.tollgate.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.util.List;

/**
 * A tool the gateway may run: its risk, its cost and the JSON Schema of its arguments. Object schemas that list
 * {@code properties} and say nothing about other properties reject unknown fields (DESIGN.md: "unknown fields
 * rejected"); a schema without {@code properties}, such as {@code {type: object}}, accepts any object.
 */
public final class ToolSpec {

    private final String name;
    private final String risk;
    private final long costMicros;
    private final JsonNode argsSchema;
    private final String argsSchemaJson;
    private final Schema schema;
    private final int line;
    private final String pin;
    private final boolean idempotent;

    ToolSpec(String name, String risk, long costMicros, JsonNode argsSchema, Schema schema, int line) {
        this(name, risk, costMicros, argsSchema, schema, line, null, false);
    }

    ToolSpec(String name, String risk, long costMicros, JsonNode argsSchema, Schema schema, int line, String pin,
             boolean idempotent) {
        this.name = name;
        this.risk = risk;
        this.costMicros = costMicros;
        this.argsSchema = argsSchema;
        this.argsSchemaJson = argsSchema.toString();
        this.schema = schema;
        this.line = line;
        this.pin = pin;
        this.idempotent = idempotent;
    }

    /**
     * For an upstream tool, the SHA-256 of the definition its reviewers pinned ({@code pin:}); null when unpinned.
     * The dispatch carries it and the gateway refuses the call when the upstream's definition no longer matches.
     */
    public String pin() {
        return pin;
    }

    /** Whether the bundle declares the tool idempotent ({@code idempotent: true}); false by default. */
    public boolean idempotent() {
        return idempotent;
    }

    public String name() {
        return name;
    }

    /** The tool's risk class, e.g. {@code read} or {@code write}; visible to conditions as {@code tool.risk}. */
    public String risk() {
        return risk;
    }

    /** Cost reserved per call, in micro-USD. */
    public long costMicros() {
        return costMicros;
    }

    /** The arguments' JSON Schema as enforced (unknown fields rejected), for the gateway to re-validate. */
    public String argsSchemaJson() {
        return argsSchemaJson;
    }

    public JsonNode argsSchema() {
        return argsSchema.deepCopy();
    }

    public int line() {
        return line;
    }

    /** Validation messages of the arguments against the schema; empty when they pass. */
    public List<String> validateArgs(JsonNode args) {
        List<Error> errors = schema.validate(args);
        return errors.stream().map(Error::toString).toList();
    }
}
