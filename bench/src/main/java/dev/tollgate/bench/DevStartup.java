package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Times {@code tollgate dev} as a developer meets it: a child {@code java -jar tollgate.jar dev} on a fresh data
 * directory with free ports, from process start to its readiness banner ({@value #BANNER}), and its resident set
 * size ({@code VmRSS} of {@code /proc/PID/status}) once ready. The child is then stopped with SIGTERM (its
 * shutdown hook closes the stack).
 */
final class DevStartup {

    static final String BANNER = "Tollgate dev stack ready in";

    private DevStartup() {
    }

    static Map<String, Object> measure(Path jar, List<String> javaOptions) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("tollgate-bench-dev");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar.toString(), "dev", "--data-dir", dataDir.toString(),
                "--kafka-port", "0", "--registry-port", "0", "--intake-port", "0", "--query-port", "0"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", String.join(" ", command));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder tail = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.contains(BANNER)) {
                        ready.countDown();
                    }
                    synchronized (tail) {
                        tail.append(line).append('\n');
                        if (tail.length() > 8000) {
                            tail.delete(0, tail.length() - 8000);
                        }
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "tollgate-dev-output");
        pump.setDaemon(true);
        pump.start();
        try {
            boolean up = ready.await(180, TimeUnit.SECONDS);
            long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!up) {
                synchronized (tail) {
                    throw new IllegalStateException("tollgate dev printed no readiness banner in 180 s; output:\n"
                            + tail);
                }
            }
            out.put("timeToReadyMs", readyMillis);
            out.put("rssMbAtReady", rssMb(process.pid()).orElse(Double.NaN));
            // RSS a few seconds later, once start-up garbage is collected or kept.
            out.put("rssMbAfter5s", awaitRss(process, 5_000).orElse(Double.NaN));
            return out;
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            deleteQuietly(dataDir);
        }
    }

    /** Waits {@code millis} (unless the child exits) and reads its RSS. */
    private static Optional<Double> awaitRss(Process process, long millis) throws InterruptedException {
        if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        return rssMb(process.pid());
    }

    /** {@code VmRSS} of a process in MiB, from {@code /proc}; empty where there is no {@code /proc}. */
    static Optional<Double> rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                Optional<Double> rss = parseVmRssMb(line);
                if (rss.isPresent()) {
                    return rss;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Parses a {@code VmRSS:   123456 kB} line into MiB. */
    static Optional<Double> parseVmRssMb(String line) {
        if (!line.startsWith("VmRSS:")) {
            return Optional.empty();
        }
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        return Optional.of(Math.round(Long.parseLong(parts[0]) / 1024.0 * 10) / 10.0);
    }

    private static void deleteQuietly(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }
}
