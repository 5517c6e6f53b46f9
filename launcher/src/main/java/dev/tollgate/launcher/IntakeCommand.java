package dev.tollgate.launcher;

import dev.tollgate.intake.IntakeApp;
import dev.tollgate.intake.IntakeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate intake}: runs the intake-service on its own until the process is stopped. The bootstrap admin key
 * comes from {@code TOLLGATE_ADMIN_KEY} (or {@code --set admin.key=...}); it is never printed.
 */
@Command(name = "intake", mixinStandardHelpOptions = true,
        description = "Run the intake-service: the authenticated HTTP API for agents, approvers and admins.")
public final class IntakeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions kafka;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any intake config key (e.g. max.body.bytes=1048576, rate.limit.per.second=50).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> values = new LinkedHashMap<>();
        String adminKey = System.getenv("TOLLGATE_ADMIN_KEY");
        if (adminKey != null && !adminKey.isBlank()) {
            values.put(IntakeConfig.ADMIN_KEY.name(), adminKey);
        }
        values.put(IntakeConfig.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        values.put(IntakeConfig.SCHEMA_REGISTRY_URL.name(), kafka.schemaRegistryUrl());
        values.put(IntakeConfig.HTTP_PORT.name(), Integer.toString(port));
        // --client-config (e.g. SASL) reaches every Kafka client of intake through its kafka.* pass-through.
        kafka.clientConfigFileProperties().forEach((key, value) -> values.put("kafka." + key, String.valueOf(value)));
        values.putAll(settings);
        IntakeApp app = IntakeApp.start(IntakeConfig.of(values));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "tollgate-intake-shutdown"));
        spec.commandLine().getOut().println("intake-service listening on http://localhost:" + app.port());
        stopped.await();
        return 0;
    }
}
