package dev.tollgate.launcher;

import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate projector [--rebuild]}: runs the ledger-projector (run views, timelines, approvals inbox, query
 * API) until the process is stopped. {@code --rebuild} projects the ledger afresh from its beginning under a new
 * application id, {@code tollgate-ledger-projector-v1-rebuild-<epoch millis>}, leaving the current projection's
 * state and offsets untouched. Its config comes from {@link ServiceOptions} (file, environment, flags).
 */
@Command(name = "projector", mixinStandardHelpOptions = true,
        description = "Run the ledger-projector: queryable run state over tollgate.ledger.v1 (HTTP, default 8082).")
public final class ProjectorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions options;

    @Option(names = {"--query-port", "--http-port"}, description = "Port of the query API (key http.port, default "
            + "8082).")
    Integer httpPort;

    @Option(names = "--state-dir", description = "Directory of the state stores (key state.dir).")
    String stateDir;

    @Option(names = "--application-server",
            description = "host:port other projector instances use to reach this one (default: localhost:<port>).")
    String applicationServer;

    @Option(names = "--rebuild", description = "Project afresh from the beginning under a new application id.")
    boolean rebuild;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ProjectorConfig.HTTP_PORT.name(), httpPort == null ? null : Integer.toString(httpPort));
        flags.put(ProjectorConfig.STATE_DIR.name(), stateDir);
        flags.put(ProjectorConfig.APPLICATION_SERVER.name(), applicationServer);
        if (rebuild) {
            flags.put(ProjectorConfig.APPLICATION_ID_OVERRIDE.name(),
                    ProjectorConfig.rebuildApplicationId(System.currentTimeMillis()));
        }
        ProjectorConfig config = ProjectorConfig.of(
                options.values(ProjectorConfig.DECLARATION, flags, System.getenv()));
        return ServiceRunner.run("projector", () -> ProjectorApp.start(config), app -> app.health().fatalError(),
                app -> {
                    PrintWriter out = spec.commandLine().getOut();
                    out.println("ledger-projector: http://localhost:" + app.httpPort() + " (application.id "
                            + config.applicationId() + ", application.server " + app.applicationServer() + ")");
                    out.flush();
                });
    }
}
