package dev.tollgate.policy.run;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.state.LimitUsage;
import java.util.Optional;

/**
 * What a decider may consult besides the run's own state: the bundle in force, the identities and the kill
 * switches, the tenant- and agent-wide usage fed back by the limit aggregation, and the content of the run's
 * artifacts. The stream processor backs it with stores; tests, {@code policy test} and {@code policy diff} back it
 * with maps. No Kafka types, so deciders stay pure.
 */
public interface PolicyContext {

    /** Default upper bound of an artifact's content, in UTF-8 bytes (256 KiB). */
    long DEFAULT_MAX_ARTIFACT_BYTES = 256 * 1024;

    /** The bundle in force, if any bundle was ever loaded. */
    Optional<CompiledBundle> bundle();

    Optional<Identity> identity(String principalId);

    /** The kill switch stored under a scope key ({@code global}, {@code tenant:T}, {@code agent:P}, {@code run:R}). */
    Optional<KillSwitch> killSwitch(String scopeKey);

    /**
     * Tenant- or agent-wide usage of one window, as last fed back ({@code limits.LimitKeys} builds the key); empty
     * when nothing was counted yet. Contexts without the aggregation (policy test and diff) count nothing.
     */
    default Optional<LimitUsage> limitUsage(String windowKey) {
        return Optional.empty();
    }

    /** The content of an artifact this run recorded, by SHA-256. */
    default Optional<String> artifactContent(String sha256) {
        return Optional.empty();
    }

    /** Artifacts above this many UTF-8 bytes are rejected (ARTIFACT_TOO_LARGE). */
    default long maxArtifactBytes() {
        return DEFAULT_MAX_ARTIFACT_BYTES;
    }
}
