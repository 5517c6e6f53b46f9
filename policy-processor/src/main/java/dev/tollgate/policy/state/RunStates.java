package dev.tollgate.policy.state;

/**
 * Cheap copies of {@link RunState} for the deciders' pure folds. Avro's {@code RunState.newBuilder(state)}
 * deep-copies every field, the calls map and the remembered command ids included, so a fold that builds a new state
 * per event paid for the whole run on every event. A fold never changes a collection it was given (it builds a new
 * one and sets it), so sharing the collections of the state it started from is safe: {@link #copyOf} copies the
 * record's fields, not what they point to.
 */
public final class RunStates {

    private static final int FIELDS = RunState.getClassSchema().getFields().size();

    private RunStates() {
    }

    /** A new record with the same field values (collections shared, never mutated by a fold). */
    public static RunState copyOf(RunState state) {
        RunState copy = new RunState();
        for (int i = 0; i < FIELDS; i++) {
            copy.put(i, state.get(i));
        }
        return copy;
    }
}
