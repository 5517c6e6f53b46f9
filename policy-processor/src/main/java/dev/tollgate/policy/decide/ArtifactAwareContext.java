package dev.tollgate.policy.decide;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.state.LimitUsage;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PolicyContext} that remembers the artifacts recorded through it, for deciding outside Kafka (decider
 * tests, {@code policy diff}): the stream processor keeps them in {@code artifact-content-store} instead.
 */
public final class ArtifactAwareContext implements PolicyContext {

    private final PolicyContext delegate;
    private final Map<String, String> contents = new HashMap<>();

    public ArtifactAwareContext(PolicyContext delegate) {
        this.delegate = delegate;
    }

    /** Remembers the artifacts of appended entries. */
    public void remember(RunLedger.Appended appended) {
        for (RunLedger.Entry entry : appended.entries()) {
            if (entry.artifact() != null) {
                contents.put(entry.artifact().getSha256(), entry.artifact().getContent());
            }
        }
    }

    @Override
    public Optional<CompiledBundle> bundle() {
        return delegate.bundle();
    }

    @Override
    public Optional<Identity> identity(String principalId) {
        return delegate.identity(principalId);
    }

    @Override
    public Optional<KillSwitch> killSwitch(String scopeKey) {
        return delegate.killSwitch(scopeKey);
    }

    @Override
    public Optional<LimitUsage> limitUsage(String windowKey) {
        return delegate.limitUsage(windowKey);
    }

    @Override
    public Optional<String> artifactContent(String sha256) {
        String content = contents.get(sha256);
        return content != null ? Optional.of(content) : delegate.artifactContent(sha256);
    }

    @Override
    public long maxArtifactBytes() {
        return delegate.maxArtifactBytes();
    }
}
