package dev.tollgate.policy.engine;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.ast.CelReference;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CEL environment of a bundle: {@code principal}, {@code run} and {@code tool} are struct types (so a misspelt
 * field is a compile error), {@code args} is dyn, {@code now} a timestamp, and every bundle variable is declared
 * with the type its expression checked to. Compiled with the standard compiler and evaluated by the standard
 * runtime; programs are immutable and shared between threads.
 */
final class CelEnv {

    static final StructType PRINCIPAL = struct("tollgate.Principal", Map.of(
            "id", SimpleType.STRING, "kind", SimpleType.STRING, "tenant", SimpleType.STRING,
            "roles", ListType.create(SimpleType.STRING)));
    static final StructType RUN = struct("tollgate.Run", Map.of(
            "id", SimpleType.STRING, "workflow", SimpleType.STRING, "environment", SimpleType.STRING,
            "classification", SimpleType.STRING, "stage", SimpleType.STRING, "toolCalls", SimpleType.INT,
            "costMicros", SimpleType.INT, "tokens", SimpleType.INT, "input", SimpleType.DYN));
    static final StructType TOOL = struct("tollgate.Tool", Map.of(
            "name", SimpleType.STRING, "risk", SimpleType.STRING));

    private static final CelTypeProvider TYPES = new CelTypeProvider() {
        @Override
        public ImmutableCollection<CelType> types() {
            return ImmutableList.of(PRINCIPAL, RUN, TOOL);
        }

        @Override
        public Optional<CelType> findType(String name) {
            return types().stream().filter(t -> t.name().equals(name)).findFirst();
        }
    };

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(10_000)
            .maxExpressionCodePointSize(10_000)
            .build();

    private final boolean toolScope;
    private final Map<String, CelType> variables = new LinkedHashMap<>();
    private Cel cel;

    /** @param toolScope true for tool rules ({@code tool} and {@code args} declared), false for run admission */
    CelEnv(boolean toolScope) {
        this.toolScope = toolScope;
    }

    void declare(String variable, CelType type) {
        variables.put(variable, type);
        cel = null;
    }

    /** A compiled expression, or the compile issues. */
    record Compiled(Condition condition, List<CelIssue> issues) {
    }

    Compiled compile(String source, CelType resultType) {
        Cel env = environment(resultType);
        CelValidationResult result = env.compile(source);
        if (result.hasError()) {
            return new Compiled(null, result.getErrors());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            Set<String> referenced = new LinkedHashSet<>();
            for (CelReference reference : ast.getReferenceMap().values()) {
                if (variables.containsKey(reference.name())) {
                    referenced.add(reference.name());
                }
            }
            return new Compiled(new Condition(source, env.createProgram(ast), ast.getResultType(),
                    List.copyOf(referenced)), List.of());
        } catch (CelValidationException | CelEvaluationException e) {
            return new Compiled(null, List.of(CelIssue.formatError(1, 0, e.getMessage())));
        }
    }

    private Cel environment(CelType resultType) {
        if (resultType != null) {
            return build(resultType);
        }
        if (cel == null) {
            cel = build(null);
        }
        return cel;
    }

    private Cel build(CelType resultType) {
        CelBuilder builder = CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(TYPES)
                .addVar("principal", PRINCIPAL)
                .addVar("run", RUN)
                .addVar("now", SimpleType.TIMESTAMP);
        if (toolScope) {
            builder.addVar("tool", TOOL).addVar("args", SimpleType.DYN);
        }
        variables.forEach(builder::addVar);
        if (resultType != null) {
            builder.setResultType(resultType);
        }
        return builder.build();
    }

    /**
     * A compiled CEL expression.
     *
     * @param source     the expression text
     * @param program    the runtime program
     * @param type       the checked result type
     * @param variables  the bundle variables it refers to
     */
    record Condition(String source, CelRuntime.Program program, CelType type, List<String> variables) {

        Object evaluate(Map<String, Object> activation) throws CelEvaluationException {
            return program.eval(activation);
        }
    }

    private static StructType struct(String name, Map<String, CelType> fields) {
        return StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
                field -> Optional.ofNullable(fields.get(field)));
    }
}
