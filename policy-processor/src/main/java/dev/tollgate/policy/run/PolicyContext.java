package dev.tollgate.policy.run;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.policy.engine.CompiledBundle;
import java.util.Optional;

/**
 * What a decider may consult besides the run's own state: the bundle in force, the identities and the kill
 * switches. The stream processor backs it with global stores; tests, {@code policy test} and {@code policy diff}
 * back it with maps. No Kafka types, so deciders stay pure.
 */
public interface PolicyContext {

    /** The bundle in force, if any bundle was ever loaded. */
    Optional<CompiledBundle> bundle();

    Optional<Identity> identity(String principalId);

    /** The kill switch stored under a scope key ({@code global}, {@code tenant:T}, {@code agent:P}, {@code run:R}). */
    Optional<KillSwitch> killSwitch(String scopeKey);
}
