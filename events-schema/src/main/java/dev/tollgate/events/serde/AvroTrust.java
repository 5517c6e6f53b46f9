package dev.tollgate.events.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes whose package it does not trust. Tollgate's generated classes live
 * in {@code dev.tollgate.events}; this adds that package to the global validator once, keeping Avro's defaults
 * and anything configured through {@code org.apache.avro.SERIALIZABLE_PACKAGES}.
 */
public final class AvroTrust {

    static final String PACKAGE = "dev.tollgate.events";
    private static volatile boolean done;

    private AvroTrust() {
    }

    public static void ensure() {
        if (done) {
            return;
        }
        synchronized (AvroTrust.class) {
            if (!done) {
                ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                        type -> type.getName().startsWith(PACKAGE + ".")));
                done = true;
            }
        }
    }
}
