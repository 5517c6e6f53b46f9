package dev.tollgate.policy.run;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.policy.engine.CompiledBundle;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PolicyContext} over fixed maps: for tests, {@code tollgate policy test} and {@code tollgate policy diff}
 * (which decide with the identities and kill switches as they are now).
 *
 * @param bundleInForce the bundle, or null
 * @param identities    identities by principalId
 * @param killSwitches  kill switches by scope key
 */
public record StaticPolicyContext(CompiledBundle bundleInForce, Map<String, Identity> identities,
                                  Map<String, KillSwitch> killSwitches) implements PolicyContext {

    public StaticPolicyContext {
        identities = Map.copyOf(identities);
        killSwitches = Map.copyOf(killSwitches);
    }

    @Override
    public Optional<CompiledBundle> bundle() {
        return Optional.ofNullable(bundleInForce);
    }

    @Override
    public Optional<Identity> identity(String principalId) {
        return Optional.ofNullable(identities.get(principalId));
    }

    @Override
    public Optional<KillSwitch> killSwitch(String scopeKey) {
        return Optional.ofNullable(killSwitches.get(scopeKey));
    }

    /** The same identities and kill switches under another bundle. */
    public StaticPolicyContext withBundle(CompiledBundle bundle) {
        return new StaticPolicyContext(bundle, identities, killSwitches);
    }
}
