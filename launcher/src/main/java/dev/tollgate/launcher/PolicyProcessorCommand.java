package dev.tollgate.launcher;

import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code tollgate policy-processor}: runs the policy-processor on its own until interrupted. */
@CommandLine.Command(name = "policy-processor", mixinStandardHelpOptions = true,
        description = "Run the policy-processor (Kafka Streams): decisions and the hash-chained ledger.")
public final class PolicyProcessorCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClusterOptions cluster;

    @Option(names = "--state-dir", description = "Directory of the RocksDB stores.")
    String stateDir;

    @Option(names = "--http-port", defaultValue = "0", description = "Port of GET /health (0: none).")
    int httpPort;

    @Option(names = "--policy-bundle", defaultValue = "default", description = "Name of the bundle that decides.")
    String bundle;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(PolicyProcessorConfig.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        config.put(PolicyProcessorConfig.SCHEMA_REGISTRY_URL.name(), cluster.schemaRegistryUrl());
        // --client-config (e.g. SASL) reaches the Streams clients and the admin through streams.*.
        cluster.clientConfigFileProperties().forEach((key, value) ->
                config.put("streams." + key, String.valueOf(value)));
        config.put(PolicyProcessorConfig.HTTP_PORT.name(), Integer.toString(httpPort));
        config.put(PolicyProcessorConfig.POLICY_BUNDLE.name(), bundle);
        if (stateDir != null) {
            config.put(PolicyProcessorConfig.STATE_DIR.name(), stateDir);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        PolicyProcessorApp app = PolicyProcessorApp.start(PolicyProcessorConfig.from(config));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "tollgate-policy-processor-shutdown"));
        stopped.await();
        return 0;
    }
}
