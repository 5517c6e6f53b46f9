package dev.tollgate.bench;

import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A policy-processor in a JVM of its own, for {@link ProcessorCrashIT}: {@code key=value} arguments become its
 * configuration; prints {@value #READY} once RUNNING and then runs until the process is killed.
 */
public final class ProcessorMain {

    static final String READY = "PROCESSOR-READY";

    private ProcessorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> config = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            config.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        PolicyProcessorApp app = PolicyProcessorApp.start(PolicyProcessorConfig.from(config));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!app.ready() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        System.out.println(app.ready() ? READY : "PROCESSOR-NOT-READY " + app.state());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
