package dev.tollgate.launcher;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one service in the foreground until the process is stopped or the service fails: starts it, prints where it
 * is, closes it from a named shutdown hook, and returns 1 on its first fatal error (a Streams client that went to
 * ERROR, a dead dispatch loop, a stopped reader), so the process exits non-zero and a supervisor restarts it.
 */
final class ServiceRunner {

    private ServiceRunner() {
    }

    static <A extends AutoCloseable> int run(String name, Supplier<A> start, Function<A, CompletableFuture<Throwable>>
            fatalError, Consumer<A> started) throws Exception {
        A app = start.get();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(app);
            exit.complete(0);
        }, "tollgate-" + name + "-shutdown"));
        fatalError.apply(app).thenAccept(error -> {
            System.err.println("tollgate: " + error.getMessage() + "; exiting");
            exit.complete(1);
        });
        started.accept(app);
        int code = exit.get();
        if (code != 0) {
            closeQuietly(app);
        }
        return code;
    }

    private static void closeQuietly(AutoCloseable app) {
        try {
            app.close();
        } catch (Exception e) {
            System.err.println("tollgate: closing failed: " + e);
        }
    }
}
