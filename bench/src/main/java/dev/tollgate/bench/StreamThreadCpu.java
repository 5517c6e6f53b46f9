package dev.tollgate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time consumed by the Kafka Streams threads of one application in this JVM (threads named
 * {@code <application.id>-<uuid>-StreamThread-N}). On a machine shared with other builds, wall-clock latency and
 * throughput move with the neighbours' load; the CPU a stream thread spends per decision hardly does, which makes it
 * the figure to compare a processor change by.
 */
final class StreamThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StreamThreadCpu() {
    }

    /** Nanoseconds of CPU the live stream threads of {@code applicationId} have used so far, or -1 if unmeasurable. */
    static long nanos(String applicationId) {
        if (applicationId == null || !THREADS.isThreadCpuTimeSupported()) {
            return -1;
        }
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            String name = thread.getName();
            if (name.startsWith(applicationId) && name.contains("-StreamThread-")) {
                long cpu = THREADS.getThreadCpuTime(thread.getId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }
}
