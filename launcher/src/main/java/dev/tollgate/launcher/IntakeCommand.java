package dev.tollgate.launcher;

import dev.tollgate.intake.IntakeApp;
import dev.tollgate.intake.IntakeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate intake}: runs the intake-service on its own until the process is stopped. Its config comes from
 * {@link ServiceOptions} (file, environment, flags); the bootstrap admin key from {@code TOLLGATE_ADMIN_KEY} (or
 * {@code --set admin.key=...}); it is never printed.
 */
@Command(name = "intake", mixinStandardHelpOptions = true,
        description = "Run the intake-service: the authenticated HTTP API for agents, approvers and admins.")
public final class IntakeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions options;

    @Option(names = "--port", description = "HTTP port (key http.port, default 8080).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(IntakeConfig.HTTP_PORT.name(), port == null ? null : Integer.toString(port));
        IntakeConfig config = IntakeConfig.of(options.values(IntakeConfig.DECLARATION, flags, System.getenv()));
        return ServiceRunner.run("intake", () -> IntakeApp.start(config), app -> app.health().fatalError(),
                app -> spec.commandLine().getOut().println("intake-service listening on http://localhost:"
                        + app.port()));
    }
}
