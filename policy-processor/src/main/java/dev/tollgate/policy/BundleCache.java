package dev.tollgate.policy;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled bundles by SHA-256, shared by the global policy loader (which compiles and warms a bundle up when it
 * arrives) and the stream threads. The loader also publishes the bundle in force per name ({@link #publish}), so a
 * stream thread finds it with one map read per command instead of reading and decoding {@code policy-store}'s record
 * (the whole YAML) and hashing into this cache every time it asks.
 */
final class BundleCache {

    private final Map<String, CompiledBundle> bySha = new ConcurrentHashMap<>();
    private final Map<String, CompiledBundle> inForce = new ConcurrentHashMap<>();

    /** The loader's word: {@code compiled} is now in force under its name (it is also in the global store). */
    void publish(CompiledBundle compiled) {
        inForce.put(compiled.name(), compiled);
    }

    /** The bundle in force under {@code name} as the loader last published it, or null if none was yet. */
    CompiledBundle inForce(String name) {
        return inForce.get(name);
    }

    /** The compiled form of a published bundle; throws when it does not compile or is not what it claims. */
    CompiledBundle compiled(PolicyBundle bundle) throws PolicyCompileException {
        CompiledBundle cached = bySha.get(bundle.getSha256());
        if (cached != null) {
            return cached;
        }
        CompiledBundle compiled = PolicyCompiler.compile(bundle.getYaml());
        if (!compiled.sha256().equals(bundle.getSha256())) {
            throw new PolicyCompileException(java.util.List.of(new dev.tollgate.policy.engine.PolicyProblem(0, null,
                    "sha256 " + bundle.getSha256() + " is not the SHA-256 of the YAML (" + compiled.sha256() + ")")));
        }
        compiled.warmUp();
        bySha.put(compiled.sha256(), compiled);
        return compiled;
    }
}
