package dev.tollgate.launcher;

import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import dev.tollgate.launcher.demo.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate demo}: the whole stack of {@code tollgate dev} in a temporary data directory on free ports, a
 * scripted agent driven through every capability over the public APIs, a table of scenario, expected and
 * observed, and exit code 0 only when every observation matched.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the embedded stack in a temporary directory, drive a scripted agent through every "
                + "capability, print what was expected and observed, and exit 0 only if all matched.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--keep-data", description = "Keep the temporary data directory (its path is printed).")
    boolean keepData;

    @Option(names = "--verbose", description = "Print the stack's start-up banner and the services' logs too.")
    boolean verbose;

    @Option(names = "--keep-running", description = "After the scenarios, leave a bulk ticket update held for you "
            + "to approve in the web console, print the console URL and a support lead's key, and run until Ctrl-C.")
    boolean keepRunning;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!verbose) {
            // The table is the demo's output; the services' INFO logs would bury it.
            Configurator.setLevel("dev.tollgate", Level.WARN);
            Configurator.setLevel("org.apache.kafka", Level.ERROR);
            Configurator.setLevel("kafka", Level.ERROR);
        }
        Path dataDir = Files.createTempDirectory("tollgate-demo-");
        DevSettings settings = new DevSettings(dataDir, 0, 0, FreePorts.next(), FreePorts.next(), Optional.empty());
        String adminKey = ApiKeys.generate();
        long started = System.nanoTime();
        out.println("Starting the embedded stack (Kafka broker, schema registry, policy-processor, tool gateway,"
                + " projector, intake) in " + dataDir + " ...");
        out.flush();
        StringWriter banner = new StringWriter();
        try (DevStack stack = new DevStack(settings, DevComponents.all(adminKey),
                verbose ? out : new PrintWriter(banner, true))) {
            stack.start();
            out.printf("Stack ready in %.1f s. Running the scenarios ...%n%n", (System.nanoTime() - started) / 1e9);
            out.flush();
            Demo demo = new Demo(out);
            boolean allMatched = demo.run("http://127.0.0.1:" + settings.intakePort(),
                    "http://127.0.0.1:" + settings.queryPort(), adminKey, stack.kafka().bootstrapServers(),
                    stack.kafka().schemaRegistryUrl());
            out.printf("%nDemo finished in %.1f s.%n", (System.nanoTime() - started) / 1e9);
            String console = "http://127.0.0.1:" + settings.intakePort() + "/console";
            if (!keepRunning) {
                out.println("Web console: " + console + " while the stack runs; `tollgate demo --keep-running` "
                        + "keeps it running with a held call for you to approve there.");
                return allMatched ? 0 : 1;
            }
            Demo.HeldCall held = demo.leaveHeldCall();
            out.println();
            out.println("A bulk ticket update is waiting for a support lead's approval.");
            out.println("  Console           " + console);
            out.println("  Sign in with      " + held.approverKey() + "   (" + held.approverName()
                    + ", support lead of tenant acme)");
            out.println("  Held call         " + held.callId() + " in run " + held.runId());
            out.println("  Admin key         " + adminKey);
            out.println("Press Ctrl-C to stop.");
            out.flush();
            Thread hook = new Thread(stopped::countDown, "tollgate-demo-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stopped.await();
            return allMatched ? 0 : 1;
        } finally {
            if (keepData) {
                out.println("Data kept in " + dataDir);
            } else {
                deleteRecursively(dataDir);
            }
            out.flush();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is not worth failing the demo for.
        }
    }
}
