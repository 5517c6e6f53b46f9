package dev.tollgate.intake.admin;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.engine.PolicyProblem;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and publishes policy bundles to {@code tollgate.policies.v1}, keyed by bundle name (every version is
 * kept). Validation is the policy-engine's full compilation (structure, CEL type-checking, JSON Schemas), the same
 * the policy-processor runs, so a bundle it would refuse is refused at publish time, whole, with line-numbered
 * problems, and nothing is written.
 */
public final class PolicyAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyAdmin.class);

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

    /** Compiles a bundle; {@code expectedName} (from the path) must equal {@code metadata.name}. */
    public static Validated validate(String yaml, String expectedName) {
        CompiledBundle bundle;
        try {
            bundle = PolicyCompiler.compile(yaml);
        } catch (PolicyCompileException e) {
            throw new Refused(e.problems());
        } catch (RuntimeException e) {
            // A defect of the compiler must not turn a request into a 500; the bundle is refused and the defect logged.
            LOG.warn("the policy compiler failed on a bundle", e);
            throw new Refused(List.of(new PolicyProblem(0, null, "the bundle could not be compiled")));
        }
        if (!bundle.name().equals(expectedName)) {
            throw new Refused(List.of(new PolicyProblem(1, null, "metadata.name '" + bundle.name()
                    + "' does not match the name in the path '" + expectedName + "'")));
        }
        return new Validated(bundle.name(), bundle.version(), bundle.sha256());
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
}
