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
 *
 * <p><b>Versions are immutable.</b> A name + version already published with another SHA-256 is refused
 * ({@link VersionExists}, HTTP 409 {@code VERSION_EXISTS}) against the {@link PolicyIndex} (the topic read from the
 * beginning, plus what this instance wrote). The same content again is accepted and written again: the bundle in
 * force is the latest one published, so re-publishing an earlier version is how it is brought back. Two intake
 * instances that publish different content under one new version within the same instant can both be accepted
 * (each checks its own view of the topic); the policy-processor then keeps the first and refuses the second
 * (logged), so decisions never switch content under one version.
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

    /** A name + version that is published already with other content. */
    public static final class VersionExists extends RuntimeException {
        private final transient PolicyBundle existing;

        public VersionExists(PolicyBundle existing, String sha256) {
            super("bundle " + existing.getName() + " version " + existing.getVersion() + " is published already with"
                    + " sha256 " + existing.getSha256() + "; this content (sha256 " + sha256 + ") needs a new version",
                    null, false, false);
            this.existing = existing;
        }

        /** The version as first published. */
        public PolicyBundle existing() {
            return existing;
        }
    }

    /** A validated bundle: its name, version and the SHA-256 of its YAML text. */
    public record Validated(String name, String version, String sha256) {
    }

    private final Publisher publisher;
    private final Clock clock;
    private final PolicyIndex published;

    /** Without a view of the published versions: nothing is refused as {@link VersionExists}. */
    public PolicyAdmin(Publisher publisher, Clock clock) {
        this(publisher, clock, null);
    }

    /** Refuses a version that {@code published} holds with other content, and tells it what this instance wrote. */
    public PolicyAdmin(Publisher publisher, Clock clock, PolicyIndex published) {
        this.publisher = publisher;
        this.clock = clock;
        this.published = published;
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

    /**
     * Publishes a validated bundle; returns what was written.
     *
     * @throws VersionExists when the version is published already with other content (nothing is written)
     */
    public synchronized PolicyBundle publish(Validated validated, String yaml, String publishedBy) {
        if (published != null) {
            for (PolicyBundle known : published.versions(validated.name())) {
                if (known.getVersion().equals(validated.version()) && !known.getSha256().equals(validated.sha256())) {
                    throw new VersionExists(known, validated.sha256());
                }
            }
        }
        PolicyBundle bundle = PolicyBundle.newBuilder()
                .setName(validated.name())
                .setVersion(validated.version())
                .setSha256(validated.sha256())
                .setYaml(yaml)
                .setPublishedAt(clock.instant())
                .setPublishedBy(publishedBy)
                .build();
        publisher.publish(Topics.POLICIES, bundle.getName(), bundle);
        if (published != null) {
            published.apply(bundle);
        }
        return bundle;
    }
}
