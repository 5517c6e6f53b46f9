package dev.tollgate.launcher;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one service in the foreground until the process is stopped: starts it, prints where it is, and closes it from
 * a named shutdown hook.
 */
final class ServiceRunner {

    private ServiceRunner() {
    }

    static <A extends AutoCloseable> int run(String name, Supplier<A> start, Consumer<A> started)
            throws InterruptedException {
        A app = start.get();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(app);
            stopped.countDown();
        }, "tollgate-" + name + "-shutdown"));
        started.accept(app);
        stopped.await();
        return 0;
    }

    private static void closeQuietly(AutoCloseable app) {
        try {
            app.close();
        } catch (Exception e) {
            System.err.println("tollgate: closing failed: " + e);
        }
    }
}
