package dev.tollgate.policy.engine;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.cel.common.CelIssue;
import dev.cel.common.types.SimpleType;
import dev.tollgate.events.hash.Sha256;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Loads a policy bundle (the YAML format of {@code examples/policy-bundle.yaml}) and compiles it: structure checked
 * key by key, every CEL condition parsed and type-checked against the declared variables, every JSON Schema
 * loaded. Refuses the whole bundle when anything is wrong, listing every problem with its line and rule id. Used
 * by the policy-processor (bundles from {@code tollgate.policies.v1}), by intake at publish time and by the CLI.
 */
public final class PolicyCompiler {

    static final String API_VERSION = "tollgate.dev/v1";
    static final String KIND = "PolicyBundle";

    private static final Pattern NAME = Pattern.compile("^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$");
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
    private static final Pattern PIN = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern TOOL_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");
    private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
    private static final Set<String> RESERVED = Set.of("principal", "run", "tool", "args", "now", "true", "false",
            "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
            "loop", "package", "namespace", "return", "var", "void", "while");
    private static final Set<String> VALIDATORS = Set.of("required-fields", "no-pii", "max-bytes", "json-schema");

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .formatAssertionsEnabled(true).build()));

    private PolicyCompiler() {
    }

    /**
     * Compiles a bundle.
     *
     * @param yaml the bundle's YAML text
     * @return the compiled bundle, whose {@link CompiledBundle#sha256()} is the SHA-256 of {@code yaml}
     * @throws PolicyCompileException with every problem found
     */
    public static CompiledBundle compile(String yaml) throws PolicyCompileException {
        if (yaml == null) {
            throw new PolicyCompileException(List.of(new PolicyProblem(0, null, "no bundle text")));
        }
        return new Compilation(yaml).run();
    }

    /** One compilation: collects problems as it goes, so all of them are reported together. */
    private static final class Compilation {

        private final String text;
        private final Problems problems = new Problems();
        private final CelEnv runsEnv = new CelEnv(false);
        private final CelEnv toolsEnv = new CelEnv(true);
        private final Map<String, ToolSpec> tools = new LinkedHashMap<>();
        private final List<CompiledBundle.Variable> variables = new ArrayList<>();
        private final List<CompiledBundle.CompiledRunRule> runs = new ArrayList<>();
        private final List<CompiledBundle.CompiledToolRule> rules = new ArrayList<>();
        private final Map<String, ModelPrice> models = new LinkedHashMap<>();
        private final List<GateSpec> gates = new ArrayList<>();
        private Limits limits = Limits.NONE;
        private boolean toolsParsed;

        Compilation(String text) {
            this.text = text;
        }

        CompiledBundle run() throws PolicyCompileException {
            Node root = Yaml.compose(text, problems);
            if (root == null) {
                throw new PolicyCompileException(problems.sorted());
            }
            Map<String, Node> top = Yaml.mapping(root, "the bundle", null, problems);
            if (top == null) {
                throw new PolicyCompileException(problems.sorted());
            }
            Yaml.onlyKeys(top, "bundle", null, problems, "apiVersion", "kind", "metadata", "spec");
            expect(top.get("apiVersion"), "apiVersion", API_VERSION, root);
            expect(top.get("kind"), "kind", KIND, root);
            String name = null;
            String version = null;
            String description = "";
            Map<String, Node> metadata = required(top, "metadata", root);
            if (metadata != null) {
                Yaml.onlyKeys(metadata, "metadata", null, problems, "name", "version", "description", "labels");
                name = Yaml.string(metadata.get("name"), "metadata.name", null, problems, top.get("metadata"));
                if (name != null && !NAME.matcher(name).matches()) {
                    problems.add(Yaml.line(metadata.get("name")), null, "metadata.name '" + name
                            + "' must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
                }
                version = Yaml.string(metadata.get("version"), "metadata.version", null, problems,
                        top.get("metadata"));
                if (metadata.get("description") != null) {
                    description = Yaml.string(metadata.get("description"), "metadata.description", null, problems,
                            top.get("metadata"));
                }
            }
            Map<String, Node> spec = required(top, "spec", root);
            if (spec != null) {
                Yaml.onlyKeys(spec, "spec", null, problems, "variables", "runs", "tools", "rules", "models", "gates",
                        "limits");
                if (spec.get("tools") != null) {
                    tools(spec.get("tools"));
                } else {
                    problems.add(Yaml.line(top.get("spec")), null, "spec.tools is required");
                }
                toolsParsed = true;
                if (spec.get("variables") != null) {
                    variables(spec.get("variables"));
                }
                if (spec.get("runs") != null) {
                    runs(spec.get("runs"));
                } else {
                    problems.add(Yaml.line(top.get("spec")), null, "spec.runs is required");
                }
                if (spec.get("rules") != null) {
                    rules(spec.get("rules"));
                }
                if (spec.get("models") != null) {
                    models(spec.get("models"));
                }
                if (spec.get("gates") != null) {
                    gates(spec.get("gates"));
                }
                if (spec.get("limits") != null) {
                    limits(spec.get("limits"));
                }
            }
            if (!problems.isEmpty()) {
                throw new PolicyCompileException(problems.sorted());
            }
            return new CompiledBundle(name, version, description == null ? "" : description, Sha256.hex(text), text,
                    variables, runs, tools, rules, models, gates, limits);
        }

        private void expect(Node node, String key, String expected, Node parent) {
            String value = Yaml.string(node, key, null, problems, parent);
            if (value != null && !value.equals(expected)) {
                problems.add(Yaml.line(node), null, key + " must be '" + expected + "', was '" + value + "'");
            }
        }

        private Map<String, Node> required(Map<String, Node> map, String key, Node parent) {
            Node node = map.get(key);
            if (node == null) {
                problems.add(Yaml.line(parent), null, key + " is required");
                return null;
            }
            return Yaml.mapping(node, key, null, problems);
        }

        // ---- variables

        private void variables(Node node) {
            Map<String, Node> entries = Yaml.mapping(node, "spec.variables", null, problems);
            if (entries == null) {
                return;
            }
            entries.forEach((name, value) -> {
                if (!IDENTIFIER.matcher(name).matches() || RESERVED.contains(name)) {
                    problems.add(Yaml.line(value), null, "variable name '" + name
                            + "' must be an identifier and not one of principal, run, tool, args, now or a CEL word");
                    return;
                }
                String source = Yaml.string(value, "variable " + name, null, problems, node);
                if (source == null) {
                    return;
                }
                CelEnv.Compiled forTools = toolsEnv.compile(source, null);
                if (forTools.condition() == null) {
                    report(forTools.issues(), value, null, "variable " + name);
                    return;
                }
                toolsEnv.declare(name, forTools.condition().type());
                // A variable that needs tool or args cannot be used by runs entries; referring to it there is an
                // "undeclared reference" error, which is what an author should see.
                CelEnv.Compiled forRuns = runsEnv.compile(source, null);
                if (forRuns.condition() != null) {
                    runsEnv.declare(name, forRuns.condition().type());
                }
                variables.add(new CompiledBundle.Variable(name, forTools.condition(), forRuns.condition()));
            });
        }

        // ---- runs

        private void runs(Node node) {
            List<Node> entries = Yaml.sequence(node, "spec.runs", null, problems);
            if (entries == null) {
                return;
            }
            if (entries.isEmpty()) {
                problems.add(Yaml.line(node), null, "spec.runs must list at least one entry");
            }
            Set<String> ids = new HashSet<>();
            for (Node entry : entries) {
                Map<String, Node> map = Yaml.mapping(entry, "runs entry", null, problems);
                if (map == null) {
                    continue;
                }
                String id = id(map, entry, ids, "runs entry");
                Yaml.onlyKeys(map, "runs entry", id, problems, "id", "effect", "when", "grants", "description");
                boolean deny = false;
                if (map.get("effect") != null) {
                    String effect = Yaml.string(map.get("effect"), "effect", id, problems, entry);
                    if ("deny".equals(effect)) {
                        deny = true;
                    } else if (effect != null && !"allow".equals(effect)) {
                        problems.add(Yaml.line(map.get("effect")), id, "a runs entry's effect is deny or allow (with"
                                + " grants), was '" + effect + "'");
                    }
                }
                RunGrants grants = null;
                if (deny && map.get("grants") != null) {
                    problems.add(Yaml.line(map.get("grants")), id, "a deny entry grants nothing: remove grants");
                } else if (!deny) {
                    if (map.get("grants") == null) {
                        problems.add(Yaml.line(entry), id, "a runs entry either has effect: deny or grants");
                    } else {
                        grants = grants(map.get("grants"), id);
                    }
                }
                CelEnv.Condition condition = condition(map, entry, id, runsEnv);
                if (id != null && condition != null && (deny || grants != null)) {
                    runs.add(new CompiledBundle.CompiledRunRule(
                            new RunRule(id, Yaml.line(entry), deny, condition.source(), grants), condition));
                }
            }
        }

        private RunGrants grants(Node node, String id) {
            Map<String, Node> map = Yaml.mapping(node, "grants", id, problems);
            if (map == null) {
                return null;
            }
            Yaml.onlyKeys(map, "grants", id, problems, "tools", "maxToolCalls", "budget", "retentionDays");
            List<String> granted = List.of();
            if (map.get("tools") == null) {
                problems.add(Yaml.line(node), id, "grants.tools is required (may be [])");
            } else {
                List<String> list = Yaml.strings(map.get("tools"), "grants.tools", id, problems);
                if (list != null) {
                    granted = list;
                    for (String tool : list) {
                        if (!tools.containsKey(tool) && toolsParsed) {
                            problems.add(Yaml.line(map.get("tools")), id, "grants.tools: tool '" + tool
                                    + "' is not declared under spec.tools");
                        }
                    }
                }
            }
            Long maxToolCalls = map.get("maxToolCalls") == null ? null
                    : Yaml.integer(map.get("maxToolCalls"), "grants.maxToolCalls", id, problems);
            if (map.get("maxToolCalls") == null) {
                problems.add(Yaml.line(node), id, "grants.maxToolCalls is required");
            } else if (maxToolCalls != null && maxToolCalls > Integer.MAX_VALUE) {
                problems.add(Yaml.line(map.get("maxToolCalls")), id, "grants.maxToolCalls is too large");
                maxToolCalls = null;
            }
            Long cost = null;
            Long tokens = 0L;
            if (map.get("budget") == null) {
                problems.add(Yaml.line(node), id, "grants.budget is required ({costMicros, tokens})");
            } else {
                Map<String, Node> budget = Yaml.mapping(map.get("budget"), "grants.budget", id, problems);
                if (budget != null) {
                    Yaml.onlyKeys(budget, "grants.budget", id, problems, "costMicros", "tokens");
                    if (budget.get("costMicros") == null) {
                        problems.add(Yaml.line(map.get("budget")), id, "grants.budget.costMicros is required");
                    } else {
                        cost = Yaml.integer(budget.get("costMicros"), "grants.budget.costMicros", id, problems);
                    }
                    if (budget.get("tokens") != null) {
                        tokens = Yaml.integer(budget.get("tokens"), "grants.budget.tokens", id, problems);
                    }
                }
            }
            Long retention = 7L;
            if (map.get("retentionDays") != null) {
                retention = Yaml.integer(map.get("retentionDays"), "grants.retentionDays", id, problems);
                if (retention != null && (retention < 1 || retention > 36_500)) {
                    problems.add(Yaml.line(map.get("retentionDays")), id, "grants.retentionDays must be 1..36500");
                    retention = null;
                }
            }
            if (maxToolCalls == null || cost == null || tokens == null || retention == null) {
                return null;
            }
            return new RunGrants(granted, maxToolCalls.intValue(), cost, tokens, retention.intValue());
        }

        // ---- tools

        private void tools(Node node) {
            Map<String, Node> entries = Yaml.mapping(node, "spec.tools", null, problems);
            if (entries == null) {
                return;
            }
            entries.forEach((name, value) -> {
                if (!TOOL_NAME.matcher(name).matches()) {
                    problems.add(Yaml.line(value), null, "tool name '" + name + "' must be letters, digits, '_', '.'"
                            + " or '-'");
                    return;
                }
                Map<String, Node> map = Yaml.mapping(value, "tool " + name, null, problems);
                if (map == null) {
                    return;
                }
                Yaml.onlyKeys(map, "tool " + name, null, problems, "risk", "costMicros", "args", "description", "pin",
                        "idempotent");
                String risk = Yaml.string(map.get("risk"), "tool " + name + ": risk", null, problems, value);
                Long cost = map.get("costMicros") == null ? Long.valueOf(0)
                        : Yaml.integer(map.get("costMicros"), "tool " + name + ": costMicros", null, problems);
                if (map.get("args") == null) {
                    problems.add(Yaml.line(value), null, "tool " + name + ": args (a JSON Schema) is required");
                    return;
                }
                String pin = null;
                if (map.get("pin") != null) {
                    pin = Yaml.string(map.get("pin"), "tool " + name + ": pin", null, problems, value);
                    if (pin != null && !PIN.matcher(pin).matches()) {
                        problems.add(Yaml.line(map.get("pin")), null, "tool " + name + ": pin must be the 64 lowercase"
                                + " hex digits of a SHA-256 (tollgate tools list shows them)");
                        return;
                    }
                }
                boolean idempotent = false;
                if (map.get("idempotent") != null) {
                    String flag = Yaml.string(map.get("idempotent"), "tool " + name + ": idempotent", null, problems,
                            value);
                    if (!"true".equals(flag) && !"false".equals(flag)) {
                        problems.add(Yaml.line(map.get("idempotent")), null, "tool " + name
                                + ": idempotent must be true or false");
                        return;
                    }
                    idempotent = Boolean.parseBoolean(flag);
                }
                int before = problems.sorted().size();
                JsonNode schemaNode = Yaml.toJson(map.get("args"), null, problems);
                if (!schemaNode.isObject()) {
                    problems.add(Yaml.line(map.get("args")), null, "tool " + name + ": args must be a JSON Schema"
                            + " object");
                    return;
                }
                closeObjects(schemaNode);
                Schema schema = schema(name, schemaNode, map.get("args"));
                if (schema != null && risk != null && cost != null && problems.sorted().size() == before) {
                    tools.put(name, new ToolSpec(name, risk, cost, schemaNode, schema, Yaml.line(value), pin,
                            idempotent));
                }
            });
        }

        private Schema schema(String tool, JsonNode schemaNode, Node at) {
            try {
                Schema meta = SCHEMAS.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
                List<com.networknt.schema.Error> errors = meta.validate(schemaNode);
                if (!errors.isEmpty()) {
                    for (com.networknt.schema.Error error : errors) {
                        problems.add(Yaml.line(at), null, "tool " + tool + ": args is not a valid JSON Schema: "
                                + error);
                    }
                    return null;
                }
                return SCHEMAS.getSchema(schemaNode);
            } catch (SchemaException | IllegalArgumentException e) {
                problems.add(Yaml.line(at), null, "tool " + tool + ": args is not a valid JSON Schema: "
                        + e.getMessage());
                return null;
            }
        }

        /**
         * Unknown fields are rejected: an object schema that lists properties and says nothing about others gets
         * {@code additionalProperties: false}.
         */
        private static void closeObjects(JsonNode node) {
            if (node.isObject()) {
                ObjectNode object = (ObjectNode) node;
                if (object.has("properties") && !object.has("additionalProperties")
                        && !object.has("unevaluatedProperties") && !object.has("patternProperties")) {
                    object.put("additionalProperties", false);
                }
                node.forEach(PolicyCompiler.Compilation::closeObjects);
            } else if (node.isArray()) {
                node.forEach(PolicyCompiler.Compilation::closeObjects);
            }
        }

        // ---- rules

        private void rules(Node node) {
            List<Node> entries = Yaml.sequence(node, "spec.rules", null, problems);
            if (entries == null) {
                return;
            }
            Set<String> ids = new HashSet<>();
            for (Node entry : entries) {
                Map<String, Node> map = Yaml.mapping(entry, "rule", null, problems);
                if (map == null) {
                    continue;
                }
                String id = id(map, entry, ids, "rule");
                Yaml.onlyKeys(map, "rule", id, problems, "id", "effect", "mode", "tools", "when", "message",
                        "suggest", "approval", "obligations", "description");
                RuleEffect effect = null;
                String effectText = Yaml.string(map.get("effect"), "effect", id, problems, entry);
                if (effectText != null) {
                    switch (effectText) {
                        case "allow" -> effect = RuleEffect.ALLOW;
                        case "deny" -> effect = RuleEffect.DENY;
                        case "require_approval" -> effect = RuleEffect.REQUIRE_APPROVAL;
                        default -> problems.add(Yaml.line(map.get("effect")), id,
                                "effect must be allow, deny or require_approval, was '" + effectText + "'");
                    }
                }
                boolean shadow = false;
                if (map.get("mode") != null) {
                    String mode = Yaml.string(map.get("mode"), "mode", id, problems, entry);
                    if ("shadow".equals(mode)) {
                        shadow = true;
                    } else if (mode != null && !"enforce".equals(mode)) {
                        problems.add(Yaml.line(map.get("mode")), id, "mode must be enforce or shadow, was '" + mode
                                + "'");
                    }
                }
                List<String> ruleTools = declaredTools(map.get("tools"), "tools", id);
                List<String> suggest = declaredTools(map.get("suggest"), "suggest", id);
                String message = "";
                if (map.get("message") != null) {
                    message = Yaml.string(map.get("message"), "message", id, problems, entry);
                }
                Approval approval = null;
                if (map.get("approval") != null) {
                    approval = approval(map.get("approval"), id);
                    if (effect != null && effect != RuleEffect.REQUIRE_APPROVAL) {
                        problems.add(Yaml.line(map.get("approval")), id, "approval only applies to effect:"
                                + " require_approval");
                    }
                } else if (effect == RuleEffect.REQUIRE_APPROVAL) {
                    problems.add(Yaml.line(entry), id, "require_approval needs approval: {roles, expiresIn}");
                }
                List<String> redact = List.of();
                if (map.get("obligations") != null) {
                    redact = obligations(map.get("obligations"), id);
                }
                CelEnv.Condition condition = condition(map, entry, id, toolsEnv);
                if (id != null && effect != null && condition != null && ruleTools != null && suggest != null
                        && message != null && redact != null
                        && (effect != RuleEffect.REQUIRE_APPROVAL || approval != null)) {
                    rules.add(new CompiledBundle.CompiledToolRule(new ToolRule(id, Yaml.line(entry), effect, shadow,
                            ruleTools, condition.source(), message, suggest, approval, redact), condition));
                }
            }
        }

        private List<String> declaredTools(Node node, String key, String id) {
            if (node == null) {
                return List.of();
            }
            List<String> list = Yaml.strings(node, key, id, problems);
            if (list == null) {
                return null;
            }
            for (String tool : list) {
                if (!tools.containsKey(tool)) {
                    problems.add(Yaml.line(node), id, key + ": tool '" + tool + "' is not declared under spec.tools");
                }
            }
            return list;
        }

        private Approval approval(Node node, String id) {
            Map<String, Node> map = Yaml.mapping(node, "approval", id, problems);
            if (map == null) {
                return null;
            }
            Yaml.onlyKeys(map, "approval", id, problems, "roles", "expiresIn");
            List<String> roles = map.get("roles") == null ? null
                    : Yaml.strings(map.get("roles"), "approval.roles", id, problems);
            if (map.get("roles") == null || (roles != null && roles.isEmpty())) {
                problems.add(Yaml.line(node), id, "approval.roles must name at least one role");
                roles = null;
            }
            Duration expiresIn = null;
            String text = Yaml.string(map.get("expiresIn"), "approval.expiresIn", id, problems, node);
            if (text != null) {
                try {
                    expiresIn = Duration.parse(text);
                    if (expiresIn.isNegative() || expiresIn.isZero()) {
                        problems.add(Yaml.line(map.get("expiresIn")), id, "approval.expiresIn must be positive");
                        expiresIn = null;
                    }
                } catch (DateTimeParseException e) {
                    problems.add(Yaml.line(map.get("expiresIn")), id, "approval.expiresIn must be an ISO-8601"
                            + " duration such as PT30M, was '" + text + "'");
                }
            }
            return roles == null || expiresIn == null ? null : new Approval(roles, expiresIn);
        }

        private List<String> obligations(Node node, String id) {
            Map<String, Node> map = Yaml.mapping(node, "obligations", id, problems);
            if (map == null) {
                return null;
            }
            Yaml.onlyKeys(map, "obligations", id, problems, "redact");
            if (map.get("redact") == null) {
                return List.of();
            }
            List<String> pointers = Yaml.strings(map.get("redact"), "obligations.redact", id, problems);
            if (pointers == null) {
                return null;
            }
            for (String pointer : pointers) {
                try {
                    if (!pointer.startsWith("/")) {
                        throw new IllegalArgumentException("must start with '/'");
                    }
                    JsonPointer.compile(pointer);
                } catch (IllegalArgumentException e) {
                    problems.add(Yaml.line(map.get("redact")), id, "obligations.redact: '" + pointer
                            + "' is not a JSON pointer (" + e.getMessage() + ")");
                    return null;
                }
            }
            return pointers;
        }

        // ---- models, gates, limits

        private void models(Node node) {
            Map<String, Node> entries = Yaml.mapping(node, "spec.models", null, problems);
            if (entries == null) {
                return;
            }
            entries.forEach((name, value) -> {
                Map<String, Node> map = Yaml.mapping(value, "model " + name, null, problems);
                if (map == null) {
                    return;
                }
                Yaml.onlyKeys(map, "model " + name, null, problems, "inputPer1k", "outputPer1k");
                Long input = map.get("inputPer1k") == null ? null
                        : Yaml.integer(map.get("inputPer1k"), "model " + name + ": inputPer1k", null, problems);
                Long output = map.get("outputPer1k") == null ? null
                        : Yaml.integer(map.get("outputPer1k"), "model " + name + ": outputPer1k", null, problems);
                if (map.get("inputPer1k") == null || map.get("outputPer1k") == null) {
                    problems.add(Yaml.line(value), null, "model " + name + ": inputPer1k and outputPer1k are"
                            + " required");
                } else if (input != null && output != null) {
                    models.put(name, new ModelPrice(name, input, output));
                }
            });
        }

        private void gates(Node node) {
            Map<String, Node> workflows = Yaml.mapping(node, "spec.gates", null, problems);
            if (workflows == null) {
                return;
            }
            workflows.forEach((workflow, stagesNode) -> {
                Map<String, Node> stages = Yaml.mapping(stagesNode, "gates of " + workflow, null, problems);
                if (stages == null) {
                    return;
                }
                stages.forEach((stage, list) -> {
                    List<Node> entries = Yaml.sequence(list, "gates of " + workflow + "/" + stage, null, problems);
                    if (entries == null) {
                        return;
                    }
                    Set<String> ids = new HashSet<>();
                    for (Node entry : entries) {
                        Map<String, Node> map = Yaml.mapping(entry, "gate", null, problems);
                        if (map == null) {
                            continue;
                        }
                        String id = id(map, entry, ids, "gate");
                        String artifact = Yaml.string(map.get("artifact"), "gate artifact", id, problems, entry);
                        String validator = Yaml.string(map.get("validator"), "gate validator", id, problems, entry);
                        if (validator != null && !VALIDATORS.contains(validator)) {
                            problems.add(Yaml.line(map.get("validator")), id, "validator must be one of "
                                    + String.join(", ", VALIDATORS.stream().sorted().toList()) + ", was '"
                                    + validator + "'");
                            continue;
                        }
                        if ("required-fields".equals(validator) && map.get("fields") == null) {
                            problems.add(Yaml.line(entry), id, "required-fields needs fields: [...]");
                        }
                        if ("max-bytes".equals(validator) && map.get("max") == null) {
                            problems.add(Yaml.line(entry), id, "max-bytes needs max: N");
                        }
                        if ("json-schema".equals(validator) && map.get("schema") == null) {
                            problems.add(Yaml.line(entry), id, "json-schema needs schema: {...}");
                        }
                        JsonNode params = Yaml.toJson(entry, id, problems);
                        if (id != null && artifact != null && validator != null) {
                            gates.add(new GateSpec(workflow, stage, id, artifact, validator, params,
                                    Yaml.line(entry)));
                        }
                    }
                });
            });
        }

        private void limits(Node node) {
            Map<String, Node> map = Yaml.mapping(node, "spec.limits", null, problems);
            if (map == null) {
                return;
            }
            Yaml.onlyKeys(map, "spec.limits", null, problems, "tenant", "agent");
            long runsPerDay = 0;
            long costPerDay = 0;
            long callsPerMinute = 0;
            if (map.get("tenant") != null) {
                Map<String, Node> tenant = Yaml.mapping(map.get("tenant"), "limits.tenant", null, problems);
                if (tenant != null) {
                    Yaml.onlyKeys(tenant, "limits.tenant", null, problems, "runsPerDay", "costMicrosPerDay");
                    runsPerDay = optionalLong(tenant.get("runsPerDay"), "limits.tenant.runsPerDay");
                    costPerDay = optionalLong(tenant.get("costMicrosPerDay"), "limits.tenant.costMicrosPerDay");
                }
            }
            if (map.get("agent") != null) {
                Map<String, Node> agent = Yaml.mapping(map.get("agent"), "limits.agent", null, problems);
                if (agent != null) {
                    Yaml.onlyKeys(agent, "limits.agent", null, problems, "toolCallsPerMinute");
                    callsPerMinute = optionalLong(agent.get("toolCallsPerMinute"), "limits.agent.toolCallsPerMinute");
                }
            }
            limits = new Limits(runsPerDay, costPerDay, callsPerMinute);
        }

        private long optionalLong(Node node, String what) {
            if (node == null) {
                return 0;
            }
            Long value = Yaml.integer(node, what, null, problems);
            return value == null ? 0 : value;
        }

        // ---- shared

        private String id(Map<String, Node> map, Node entry, Set<String> ids, String what) {
            String id = Yaml.string(map.get("id"), what + " id", null, problems, entry);
            if (id == null) {
                return null;
            }
            if (!ID.matcher(id).matches()) {
                problems.add(Yaml.line(map.get("id")), id, what + " id must be letters, digits, '.', '_' or '-'");
                return null;
            }
            if (!ids.add(id)) {
                problems.add(Yaml.line(map.get("id")), id, "duplicate " + what + " id '" + id + "'");
            }
            return id;
        }

        private CelEnv.Condition condition(Map<String, Node> map, Node entry, String id, CelEnv env) {
            Node when = map.get("when");
            String source = Yaml.string(when, "when", id, problems, entry);
            if (source == null) {
                return null;
            }
            CelEnv.Compiled compiled = env.compile(source, SimpleType.BOOL);
            if (compiled.condition() == null) {
                report(compiled.issues(), when, id, "when");
                return null;
            }
            return compiled.condition();
        }

        private void report(List<CelIssue> issues, Node at, String id, String what) {
            for (CelIssue issue : issues) {
                int celLine = Math.max(1, issue.getSourceLocation().getLine());
                boolean block = at instanceof ScalarNode scalar
                        && (scalar.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                        || scalar.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
                int line = Yaml.line(at) + (block ? celLine : celLine - 1);
                int column = issue.getSourceLocation().getColumn();
                problems.add(line, id, what + ": " + issue.getMessage()
                        + (column >= 0 ? " (at column " + (column + 1) + " of the expression)" : ""));
            }
        }
    }
}
