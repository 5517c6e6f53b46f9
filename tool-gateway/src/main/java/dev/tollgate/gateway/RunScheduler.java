package dev.tollgate.gateway;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work in order within a run and concurrently across runs, on a bounded pool. Each run has a queue; at most
 * one task of a run is running or scheduled at a time, and after each task the run goes to the back of the pool's
 * queue, so a run with many calls cannot starve the others and a slow call holds up only its own run.
 */
final class RunScheduler implements AutoCloseable {

    private final ExecutorService pool;
    private final Map<String, ArrayDeque<Runnable>> queues = new HashMap<>();

    RunScheduler(int concurrency) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "tollgate-gateway-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(concurrency, threads);
    }

    /** Queues {@code task} behind the run's earlier tasks. */
    void submit(String runId, Runnable task) {
        boolean schedule;
        synchronized (queues) {
            ArrayDeque<Runnable> queue = queues.get(runId);
            schedule = queue == null;
            if (schedule) {
                queue = new ArrayDeque<>();
                queues.put(runId, queue);
            }
            queue.add(task);
        }
        if (schedule) {
            pool.execute(() -> drainOne(runId));
        }
    }

    private void drainOne(String runId) {
        Runnable task;
        synchronized (queues) {
            task = queues.get(runId).peek();
        }
        try {
            task.run();
        } finally {
            boolean more;
            synchronized (queues) {
                ArrayDeque<Runnable> queue = queues.get(runId);
                queue.poll();
                more = !queue.isEmpty();
                if (!more) {
                    queues.remove(runId);
                }
            }
            if (more) {
                pool.execute(() -> drainOne(runId));
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
