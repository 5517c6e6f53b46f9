package dev.tollgate.intake.admin;

import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.Topics;
import dev.tollgate.intake.kafka.Publisher;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * Engages and lifts kill switches by writing {@code tollgate.kill-switches.v1}, keyed by scope key
 * ({@code global}, {@code tenant:ID}, {@code agent:ID}, {@code run:ID}); lifting writes {@code engaged=false}.
 * Used by {@code PUT/DELETE /v1/kill-switches/{scope}/{target}} and by {@code tollgate kill}.
 */
public final class KillSwitchAdmin {

    /** The target of a global switch. */
    public static final String GLOBAL_TARGET = "*";

    private final Publisher publisher;
    private final Clock clock;

    public KillSwitchAdmin(Publisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The scope named {@code global}, {@code tenant}, {@code agent} or {@code run} (any case). */
    public static Optional<KillSwitchScope> scope(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "global" -> Optional.of(KillSwitchScope.GLOBAL);
            case "tenant" -> Optional.of(KillSwitchScope.TENANT);
            case "agent" -> Optional.of(KillSwitchScope.AGENT);
            case "run" -> Optional.of(KillSwitchScope.RUN);
            default -> Optional.empty();
        };
    }

    /** The record key of a switch. */
    public static String key(KillSwitchScope scope, String target) {
        return scope == KillSwitchScope.GLOBAL ? "global" : scope.name().toLowerCase(Locale.ROOT) + ":" + target;
    }

    /** Engages ({@code engaged=true}) or lifts a switch; returns what was written. */
    public KillSwitch write(KillSwitchScope scope, String target, boolean engaged, String reason, String by) {
        KillSwitch value = KillSwitch.newBuilder()
                .setScope(scope)
                .setTarget(scope == KillSwitchScope.GLOBAL ? GLOBAL_TARGET : target)
                .setEngaged(engaged)
                .setReason(reason == null ? "" : reason)
                .setUpdatedAt(clock.instant())
                .setUpdatedBy(by == null ? "" : by)
                .build();
        publisher.publish(Topics.KILL_SWITCHES, key(scope, value.getTarget()), value);
        return value;
    }
}
