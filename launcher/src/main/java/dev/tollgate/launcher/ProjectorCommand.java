package dev.tollgate.launcher;

import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate projector [--rebuild]}: runs the ledger-projector (run views, timelines, approvals inbox, query
 * API) until the process is stopped. {@code --rebuild} projects the ledger afresh from its beginning under a new
 * application id, {@code tollgate-ledger-projector-v1-rebuild-<epoch millis>}, leaving the current projection's
 * state and offsets untouched. {@code --client-config FILE}'s properties go to every Kafka client of the projector.
 */
@Command(name = "projector", mixinStandardHelpOptions = true,
        description = "Run the ledger-projector: queryable run state over tollgate.ledger.v1 (HTTP, default 8082).")
public final class ProjectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", defaultValue = "http://localhost:8081",
            description = "Schema registry URL (default: ${DEFAULT-VALUE}).")
    String schemaRegistryUrl;

    @Option(names = {"--query-port", "--http-port"}, defaultValue = "8082",
            description = "Port of the query API (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--state-dir", description = "Directory of the state stores.")
    String stateDir;

    @Option(names = "--application-server",
            description = "host:port other projector instances use to reach this one (default: localhost:<port>).")
    String applicationServer;

    @Option(names = "--rebuild", description = "Project afresh from the beginning under a new application id.")
    boolean rebuild;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (e.g. "
            + "security.protocol, sasl.*, config.providers=env) merged into every Kafka client of the projector.")
    Path clientConfig;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> values = new HashMap<>(ClientConfigFile.load(clientConfig, ProjectorConfig.KAFKA_PREFIX));
        values.put(ProjectorConfig.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        values.put(ProjectorConfig.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
        values.put(ProjectorConfig.HTTP_PORT.name(), Integer.toString(httpPort));
        if (stateDir != null) {
            values.put(ProjectorConfig.STATE_DIR.name(), stateDir);
        }
        if (applicationServer != null) {
            values.put(ProjectorConfig.APPLICATION_SERVER.name(), applicationServer);
        }
        if (rebuild) {
            values.put(ProjectorConfig.APPLICATION_ID_OVERRIDE.name(),
                    ProjectorConfig.rebuildApplicationId(System.currentTimeMillis()));
        }
        ProjectorConfig config = ProjectorConfig.of(values);
        ProjectorApp app = ProjectorApp.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "tollgate-projector-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("ledger-projector: http://localhost:" + app.httpPort() + " (application.id "
                + config.applicationId() + ", application.server " + app.applicationServer() + ")");
        out.flush();
        stopped.await();
        return 0;
    }
}
