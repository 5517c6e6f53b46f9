package dev.tollgate.policy.run;

import dev.tollgate.policy.engine.CompiledBundle;
import java.util.List;

/**
 * What a decider decided for one input: the events to append (possibly none: a duplicate has no second effect)
 * and the bundle they were decided under (recorded on every event), if any.
 *
 * @param events  the events, in order
 * @param bundle  the bundle in force, or null
 */
public record Decision(List<Decided> events, CompiledBundle bundle) {

    public Decision {
        events = List.copyOf(events);
    }

    public static Decision none() {
        return new Decision(List.of(), null);
    }

    public static Decision of(CompiledBundle bundle, Decided... events) {
        return new Decision(List.of(events), bundle);
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }
}
