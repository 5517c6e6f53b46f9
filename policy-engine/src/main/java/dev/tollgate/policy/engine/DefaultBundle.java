package dev.tollgate.policy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bundle Tollgate ships: a copy of the reference bundle ({@code examples/policy-bundle.yaml}), published by
 * {@code tollgate dev} as bundle {@code default} when none is published yet.
 */
public final class DefaultBundle {

    /** Classpath location of the YAML text. */
    public static final String RESOURCE = "/dev/tollgate/policy/engine/default-bundle.yaml";

    private DefaultBundle() {
    }

    /** The YAML text, byte for byte as shipped (its SHA-256 is the bundle's sha256). */
    public static String yaml() {
        try (InputStream in = DefaultBundle.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped bundle, compiled; it always compiles (a test says so). */
    public static CompiledBundle compiled() {
        try {
            return PolicyCompiler.compile(yaml());
        } catch (PolicyCompileException e) {
            throw new IllegalStateException("the shipped default bundle does not compile: " + e.getMessage(), e);
        }
    }
}
