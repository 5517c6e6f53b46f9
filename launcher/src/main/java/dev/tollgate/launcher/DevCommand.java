package dev.tollgate.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate dev}: the embedded broker, the schema registry and the services in one JVM, until Ctrl-C. Data
 * lives under {@code ./.tollgate} (or {@code --data-dir}) and survives restarts. A named shutdown hook closes
 * everything cleanly.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Runs Kafka, the schema registry and the Tollgate services in this process until Ctrl-C.")
public final class DevCommand implements Callable<Integer> {

    /**
     * The services of the dev stack, started in this order after the broker and the registry. A service joins
     * with one entry, e.g. {@code IntakeDevComponent::start}.
     */
    
    @Spec
    private CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".tollgate",
            description = "Where the stack keeps its data (default: ${DEFAULT-VALUE}, relative to the current "
                    + "directory).")
    private Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Kafka listener port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int kafkaPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Schema registry port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(names = "--intake-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Intake API port (default: ${DEFAULT-VALUE}).")
    private int intakePort;

    @Option(names = "--query-port", paramLabel = "PORT", defaultValue = "8082",
            description = "Ledger query API port (default: ${DEFAULT-VALUE}).")
    private int queryPort;

    @Option(names = "--gateway-config", paramLabel = "FILE",
            description = "The tool gateway's YAML configuration.")
    private Path gatewayConfig;

    private final CompletableFuture<Integer> stopped = new CompletableFuture<>();
    private volatile DevStack stack;

    @Override
    public Integer call() throws Exception {
        DevSettings settings = new DevSettings(dataDir, kafkaPort, registryPort, intakePort, queryPort,
                Optional.ofNullable(gatewayConfig));
        stack = new DevStack(settings, DevComponents.all(DevComponents.adminKey()), spec.commandLine().getOut());
        Thread hook = new Thread(this::stop, "tollgate-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stack.start();
            stack.fatalError().thenAccept(error -> {
                spec.commandLine().getErr().println("tollgate: " + error.getMessage() + "; stopping the dev stack");
                spec.commandLine().getErr().flush();
                stopped.complete(1);
            });
            return stopped.get();
        } finally {
            stop();
            removeHook(hook);
        }
    }

    /** Closes the stack and lets {@link #call()} return; what the shutdown hook runs. */
    void stop() {
        DevStack current = stack;
        if (current != null) {
            current.close();
        }
        stopped.complete(0);
    }

    /** The running stack, for tests. */
    DevStack stack() {
        return stack;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running (or ran) and closes the stack.
        }
    }
}
