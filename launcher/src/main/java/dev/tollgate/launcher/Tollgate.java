package dev.tollgate.launcher;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code tollgate} command: the root of every subcommand ({@code dev}, {@code topics}, and the operator tools
 * and services the other modules add). Adding a command is one line in {@code subcommands} below.
 */
@Command(name = "tollgate",
        mixinStandardHelpOptions = true,
        versionProvider = Tollgate.Version.class,
        description = "A control plane for AI agents, event-sourced on Apache Kafka.",
        subcommands = {
            DevCommand.class,
            DemoCommand.class,
            TopicsCommand.class,
            PolicyCommand.class,
            PolicyProcessorCommand.class,
            AclsCommand.class,
            ToolGatewayCommand.class,
            IntakeCommand.class,
            IdentityCommand.class,
            KillCommand.class,
            ToolsCommand.class,
            ProjectorCommand.class,
            LedgerCommand.class,
            DlqCommand.class,
            BenchCommand.class,
        })
public final class Tollgate implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        try {
            System.setProperty(LogFormat.PROPERTY, LogFormat.select(System.getenv(LogFormat.ENV)));
        } catch (IllegalArgumentException e) {
            System.err.println("tollgate: " + e.getMessage());
            System.exit(CommandLine.ExitCode.USAGE);
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line as {@code main} runs it; tests execute it directly. A failing command prints one line,
     * {@code tollgate: <message>}, to stderr and exits 1 (the stack trace only with {@code -Dtollgate.debug}); one
     * that could not reach Kafka or the schema registry prints {@code tollgate: cannot reach <what> at <address>
     * (<why>)} and exits {@link Unreachable#EXIT_CODE} (3).
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Tollgate());
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            Optional<ClusterOptions> cluster = clusterOptions(cmd.getCommandSpec());
            Optional<Unreachable> unreachable = Unreachable.explain(e,
                    cluster.map(ClusterOptions::bootstrapServers).orElse(null),
                    cluster.map(ClusterOptions::schemaRegistryUrl).orElse(null));
            String message = unreachable.map(Throwable::getMessage)
                    .orElse(e.getMessage() == null ? e.toString() : e.getMessage());
            err.println("tollgate: " + message);
            if (Boolean.getBoolean("tollgate.debug")) {
                e.printStackTrace(err);
            }
            err.flush();
            return unreachable.isPresent() ? Unreachable.EXIT_CODE : 1;
        });
        ConfigReference.addToHelp(commandLine);
        return commandLine;
    }

    /** The {@link ClusterOptions} a command mixes in, directly or through another mixin. */
    static Optional<ClusterOptions> clusterOptions(CommandSpec command) {
        for (CommandSpec mixin : command.mixins().values()) {
            if (mixin.userObject() instanceof ClusterOptions options) {
                return Optional.of(options);
            }
            Optional<ClusterOptions> nested = clusterOptions(mixin);
            if (nested.isPresent()) {
                return nested;
            }
        }
        return Optional.empty();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** The version from the jar's manifest, or {@code development} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Tollgate.class.getPackage().getImplementationVersion();
            return new String[] {"tollgate " + (version == null ? "development" : version),
                "Apache Kafka " + AppInfoParser.getVersion() + ", Java " + System.getProperty("java.version")};
        }
    }
}
