package dev.tollgate.policy.engine;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A policy bundle that compiled: every CEL condition type-checked, every JSON Schema loaded. Immutable and safe to
 * share between threads. It evaluates conditions; combining their outcomes into decisions is the deciders' job.
 */
public final class CompiledBundle {

    /** A named expression of {@code spec.variables}, compiled for tool rules and, when it can be, for runs. */
    record Variable(String name, CelEnv.Condition forTools, CelEnv.Condition forRuns) {
    }

    /** A runs entry with its compiled condition. */
    record CompiledRunRule(RunRule rule, CelEnv.Condition condition) {
    }

    /** A tool rule with its compiled condition. */
    record CompiledToolRule(ToolRule rule, CelEnv.Condition condition) {
    }

    /**
     * The outcome of run admission: the first runs entry whose condition held, or the entry whose condition failed
     * to evaluate (admission stops there: fail closed), or neither when nothing matched.
     *
     * @param rule  the matching or failing entry, null when no entry matched
     * @param error the evaluation error, null unless the entry's condition failed
     */
    public record Admission(RunRule rule, String error) {

        public boolean matched() {
            return rule != null && error == null;
        }

        public boolean failed() {
            return error != null;
        }
    }

    /** Whether a rule's condition held, did not, or failed to evaluate. */
    public enum Match { MATCHED, NOT_MATCHED, ERROR }

    /**
     * The outcome of one tool rule for one call.
     *
     * @param rule  the rule
     * @param match what its condition did
     * @param error the evaluation error when {@code match} is ERROR, else null
     */
    public record RuleOutcome(ToolRule rule, Match match, String error) {
    }

    private final String name;
    private final String version;
    private final String description;
    private final String sha256;
    private final String yaml;
    private final List<Variable> variables;
    private final List<CompiledRunRule> runs;
    private final Map<String, ToolSpec> tools;
    private final List<CompiledToolRule> rules;
    private final Map<String, ModelPrice> models;
    private final List<GateSpec> gates;
    private final Limits limits;

    CompiledBundle(String name, String version, String description, String sha256, String yaml,
                   List<Variable> variables, List<CompiledRunRule> runs, Map<String, ToolSpec> tools,
                   List<CompiledToolRule> rules, Map<String, ModelPrice> models, List<GateSpec> gates, Limits limits) {
        this.name = name;
        this.version = version;
        this.description = description;
        this.sha256 = sha256;
        this.yaml = yaml;
        this.variables = List.copyOf(variables);
        this.runs = List.copyOf(runs);
        this.tools = Collections.unmodifiableMap(new LinkedHashMap<>(tools));
        this.rules = List.copyOf(rules);
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        this.gates = List.copyOf(gates);
        this.limits = limits;
    }

    /** {@code metadata.name}: the key the bundle is published under. */
    public String name() {
        return name;
    }

    /** {@code metadata.version}, recorded on every decision. */
    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    /** SHA-256 (hex) of the YAML text as published. */
    public String sha256() {
        return sha256;
    }

    /** The YAML text as published. */
    public String yaml() {
        return yaml;
    }

    public List<RunRule> runs() {
        return runs.stream().map(CompiledRunRule::rule).toList();
    }

    public Map<String, ToolSpec> tools() {
        return tools;
    }

    public Optional<ToolSpec> tool(String toolName) {
        return Optional.ofNullable(tools.get(toolName));
    }

    public List<ToolRule> rules() {
        return rules.stream().map(CompiledToolRule::rule).toList();
    }

    public Map<String, ModelPrice> models() {
        return models;
    }

    public List<GateSpec> gates() {
        return gates;
    }

    public Limits limits() {
        return limits;
    }

    /** Names of the bundle's variables, in declaration order. */
    public List<String> variableNames() {
        return variables.stream().map(Variable::name).toList();
    }

    /** Run admission: the first runs entry whose condition holds (see {@link Admission}). */
    public Admission admit(PolicyInput input) {
        Map<String, String> errors = new HashMap<>();
        Map<String, Object> activation = activation(input, false, errors);
        for (CompiledRunRule run : runs) {
            try {
                if (evaluate(run.condition(), activation, errors)) {
                    return new Admission(run.rule(), null);
                }
            } catch (EvaluationFailure e) {
                return new Admission(run.rule(), e.getMessage());
            }
        }
        return new Admission(null, null);
    }

    /** Every tool rule that applies to {@code input.tool()}, evaluated, in bundle order (shadow rules included). */
    public List<RuleOutcome> evaluateRules(PolicyInput input) {
        if (input.tool() == null) {
            throw new IllegalArgumentException("tool rules need a tool");
        }
        Map<String, String> errors = new HashMap<>();
        Map<String, Object> activation = activation(input, true, errors);
        List<RuleOutcome> outcomes = new ArrayList<>();
        for (CompiledToolRule rule : rules) {
            if (!rule.rule().appliesTo(input.tool().name())) {
                continue;
            }
            try {
                boolean matched = evaluate(rule.condition(), activation, errors);
                outcomes.add(new RuleOutcome(rule.rule(), matched ? Match.MATCHED : Match.NOT_MATCHED, null));
            } catch (EvaluationFailure e) {
                outcomes.add(new RuleOutcome(rule.rule(), Match.ERROR, e.getMessage()));
            }
        }
        return outcomes;
    }

    /**
     * Evaluates every condition once on a sample input, so the first real decision does not pay for class loading
     * and interpretation set-up. Outcomes (errors included) are ignored.
     */
    public void warmUp() {
        PolicyInput sample = new PolicyInput(
                new PolicyInput.Principal("warm-up", "agent", "warm-up", List.of()),
                new PolicyInput.Run("warm-up", "warm-up", "warm-up", "warm-up", "", 0, 0, 0, Map.of()),
                new PolicyInput.Tool("warm-up", "read"), Map.of(), Instant.EPOCH);
        admit(sample);
        for (String tool : tools.keySet()) {
            evaluateRules(new PolicyInput(sample.principal(), sample.run(), new PolicyInput.Tool(tool,
                    tools.get(tool).risk()), Map.of(), sample.now()));
        }
    }

    private Map<String, Object> activation(PolicyInput input, boolean toolScope, Map<String, String> errors) {
        Map<String, Object> activation = new HashMap<>();
        activation.put("principal", input.principal().toCel());
        activation.put("run", input.run().toCel());
        activation.put("now", Timestamp.newBuilder().setSeconds(input.now().getEpochSecond())
                .setNanos(input.now().getNano()).build());
        if (toolScope) {
            activation.put("tool", input.tool().toCel());
            activation.put("args", input.args() == null ? Map.of() : input.args());
        }
        for (Variable variable : variables) {
            CelEnv.Condition condition = toolScope ? variable.forTools() : variable.forRuns();
            if (condition == null) {
                continue;
            }
            try {
                activation.put(variable.name(), value(condition, activation, errors));
            } catch (EvaluationFailure e) {
                errors.put(variable.name(), e.getMessage());
            }
        }
        return activation;
    }

    private static boolean evaluate(CelEnv.Condition condition, Map<String, Object> activation,
                                    Map<String, String> errors) throws EvaluationFailure {
        Object value = value(condition, activation, errors);
        if (value instanceof Boolean matched) {
            return matched;
        }
        throw new EvaluationFailure("condition evaluated to " + (value == null ? "null" : value.getClass()
                .getSimpleName()) + ", not a bool");
    }

    private static Object value(CelEnv.Condition condition, Map<String, Object> activation,
                                Map<String, String> errors) throws EvaluationFailure {
        for (String variable : condition.variables()) {
            if (errors.containsKey(variable)) {
                throw new EvaluationFailure("variable " + variable + ": " + errors.get(variable));
            }
        }
        try {
            return condition.evaluate(activation);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new EvaluationFailure(message.replace("evaluation error at <input>:", "evaluation error at offset "));
        }
    }

    /** A condition that could not be evaluated. */
    private static final class EvaluationFailure extends Exception {
        EvaluationFailure(String message) {
            super(message, null, false, false);
        }
    }
}
