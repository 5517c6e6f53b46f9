package dev.tollgate.intake.admin;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.intake.kafka.Publisher;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Validates and publishes policy bundles to {@code tollgate.policies.v1}, keyed by bundle name (every version is
 * kept). A bundle that does not validate is refused whole with line-numbered problems, and nothing is written.
 */
public final class PolicyAdmin {

    /** A bundle that did not validate. */
    public static final class Refused extends RuntimeException {
        private final transient List<PolicyProblem> problems;

        public Refused(List<PolicyProblem> problems) {
            super(problems.size() + " problem(s) in the policy bundle", null, false, false);
            this.problems = List.copyOf(problems);
        }

        public List<PolicyProblem> problems() {
            return problems;
        }
    }

    /** A validated bundle: its name, version and the SHA-256 of its YAML text. */
    public record Validated(String name, String version, String sha256) {
    }

    private final Publisher publisher;
    private final Clock clock;

    public PolicyAdmin(Publisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Validates a bundle; {@code expectedName} (from the path) must equal {@code metadata.name}. */
    public static Validated validate(String yaml, String expectedName) {
        Validated validated = validateSyntax(yaml);
        if (!validated.name().equals(expectedName)) {
            throw new Refused(List.of(new PolicyProblem(1, null, "metadata.name '" + validated.name()
                    + "' does not match the name in the path '" + expectedName + "'")));
        }
        return validated;
    }

    /** Publishes a validated bundle; returns what was written. */
    public PolicyBundle publish(Validated validated, String yaml, String publishedBy) {
        PolicyBundle bundle = PolicyBundle.newBuilder()
                .setName(validated.name())
                .setVersion(validated.version())
                .setSha256(validated.sha256())
                .setYaml(yaml)
                .setPublishedAt(clock.instant())
                .setPublishedBy(publishedBy)
                .build();
        publisher.publish(Topics.POLICIES, bundle.getName(), bundle);
        return bundle;
    }

    private static Validated validateSyntax(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(100);
        options.setCodePointLimit(8 * 1024 * 1024);
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new Refused(List.of(new PolicyProblem(mark == null ? 1 : mark.getLine() + 1, null,
                    "invalid YAML: " + (e.getProblem() == null ? "syntax error" : e.getProblem()))));
        } catch (YAMLException | IllegalArgumentException e) {
            throw new Refused(List.of(new PolicyProblem(1, null, "invalid YAML")));
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw new Refused(List.of(new PolicyProblem(1, null, "a bundle must be a YAML mapping")));
        }
        if (!(root.get("metadata") instanceof Map<?, ?> metadata)) {
            throw new Refused(List.of(new PolicyProblem(1, null, "metadata is required")));
        }
        Object name = metadata.get("name");
        Object version = metadata.get("version");
        if (!(name instanceof String n) || n.isBlank()) {
            throw new Refused(List.of(new PolicyProblem(1, null, "metadata.name is required")));
        }
        if (version == null || version instanceof Map || version instanceof List || version.toString().isBlank()) {
            throw new Refused(List.of(new PolicyProblem(1, null, "metadata.version is required")));
        }
        return new Validated(n, version.toString(), Sha256.hex(yaml));
    }
}
