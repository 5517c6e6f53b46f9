package dev.tollgate.launcher;

import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code tollgate policy-processor}: runs the policy-processor on its own until interrupted. Its config comes from
 * {@link ServiceOptions} (file, environment, flags).
 */
@CommandLine.Command(name = "policy-processor", mixinStandardHelpOptions = true,
        description = "Run the policy-processor (Kafka Streams): decisions and the hash-chained ledger.")
public final class PolicyProcessorCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ServiceOptions options;

    @Option(names = "--state-dir", description = "Directory of the RocksDB stores (key state.dir).")
    String stateDir;

    @Option(names = "--http-port", description = "Port of /health/live, /health/ready and /metrics (key http.port; "
            + "0, the default: none).")
    Integer httpPort;

    @Option(names = "--policy-bundle", description = "Name of the bundle that decides (key policy.bundle, default "
            + "default).")
    String bundle;

    @Option(names = "--command-keys", description = "File of the intake service keys (keyId=base64 lines) that "
            + "intake signs commands with; without it only commands signed with a principal's own key are decided.")
    String commandKeys;

    @Option(names = "--dispatch-keys", description = "File of the keys (keyId=base64 lines) dispatches are signed "
            + "with; the tool gateway must hold the same file.")
    String dispatchKeys;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(PolicyProcessorConfig.HTTP_PORT.name(), httpPort == null ? null : Integer.toString(httpPort));
        flags.put(PolicyProcessorConfig.POLICY_BUNDLE.name(), bundle);
        flags.put(PolicyProcessorConfig.STATE_DIR.name(), stateDir);
        flags.put(PolicyProcessorConfig.COMMAND_KEYS_FILE.name(), commandKeys);
        flags.put(PolicyProcessorConfig.DISPATCH_KEYS_FILE.name(), dispatchKeys);
        PolicyProcessorConfig config = PolicyProcessorConfig.from(
                options.values(PolicyProcessorConfig.DECLARATION, flags, System.getenv()));
        return ServiceRunner.run("policy-processor", () -> PolicyProcessorApp.start(config),
                app -> app.health().fatalError(), app -> { });
    }
}
