package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tollgate dev} as a child process on free ports and a fresh data directory, with the bootstrap admin key
 * given ({@code TOLLGATE_ADMIN_KEY}), for the {@code http} section: its addresses are read from the readiness
 * banner. Closing stops it with SIGTERM (its shutdown hook closes the stack) and deletes the data directory.
 */
final class DevProcess implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final long readyMillis;
    private final String bootstrapServers;
    private final String schemaRegistryUrl;
    private final String intakeUrl;

    private DevProcess(Process process, Path dataDir, long readyMillis, List<String> banner) {
        this.process = process;
        this.dataDir = dataDir;
        this.readyMillis = readyMillis;
        this.bootstrapServers = field(banner, "Kafka bootstrap");
        this.schemaRegistryUrl = field(banner, "Schema registry");
        this.intakeUrl = field(banner, "Intake API");
    }

    static DevProcess start(Path jar, String adminKey) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("tollgate-bench-http");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsun.net.httpserver.nodelay=true", "-jar", jar.toString(), "dev", "--data-dir",
                dataDir.toString(), "--kafka-port", "0", "--registry-port", "0", "--intake-port", "0",
                "--query-port", "0");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TOLLGATE_ADMIN_KEY", adminKey);
        long start = System.nanoTime();
        Process process = builder.start();
        // A bench stopped with SIGTERM must not leave the stack behind.
        Thread reaper = new Thread(process::destroy, "tollgate-dev-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        CountDownLatch ready = new CountDownLatch(1);
        List<String> banner = new ArrayList<>();
        StringBuilder tail = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                boolean inBanner = false;
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.contains(DevStartup.BANNER)) {
                        inBanner = true;
                    }
                    synchronized (banner) {
                        if (inBanner && ready.getCount() > 0) {
                            banner.add(line);
                            if (line.startsWith("Press Ctrl-C")) {
                                ready.countDown();
                            }
                        }
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
        if (!ready.await(600, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            synchronized (banner) {
                throw new IllegalStateException("tollgate dev printed no readiness banner in 600 s; output:\n" + tail);
            }
        }
        synchronized (banner) {
            return new DevProcess(process, dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    List.copyOf(banner));
        }
    }

    static String field(List<String> banner, String label) {
        for (String line : banner) {
            String trimmed = line.trim();
            if (trimmed.startsWith(label)) {
                return trimmed.substring(label.length()).trim();
            }
        }
        throw new IllegalStateException("the dev banner has no '" + label + "' line: " + banner);
    }

    long readyMillis() {
        return readyMillis;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    String intakeUrl() {
        return intakeUrl;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }
}
