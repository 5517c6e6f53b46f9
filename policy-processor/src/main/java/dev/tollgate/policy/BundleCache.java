package dev.tollgate.policy;

import dev.tollgate.events.PolicyBundle;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled bundles by SHA-256, shared by the global policy loader (which compiles and warms a bundle up when it
 * arrives) and the stream threads (which look up the bundle in force by the store's current record). Compiling is
 * the expensive part; a lookup is a map get.
 */
final class BundleCache {

    private final Map<String, CompiledBundle> bySha = new ConcurrentHashMap<>();

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
