package dev.tollgate.launcher;

import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code tollgate dev} runs in one JVM: the embedded broker and schema registry (with every topic of
 * {@link Topics#ALL} created and every value subject registered), then each {@link DevComponent} in order. Prints
 * the bootstrap address as soon as the broker is up and a readiness banner once every component is ready.
 * {@link #close()} may be called from another thread (the shutdown hook) at any time, even during {@link #start()}.
 */
public final class DevStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private final DevSettings settings;
    private final List<DevComponent.Factory> factories;
    private final PrintWriter out;
    private final EmbeddedKafka kafka;
    private final Deque<DevComponent> running = new ConcurrentLinkedDeque<>();
    private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    private volatile boolean closed;

    public DevStack(DevSettings settings, List<DevComponent.Factory> factories, PrintWriter out) {
        this.settings = settings;
        this.factories = List.copyOf(factories);
        this.out = out;
        this.kafka = EmbeddedKafka.builder()
                .dataDir(settings.dataDir())
                .kafkaPort(settings.kafkaPort())
                .registryPort(settings.registryPort())
                .onBrokerStarted(this::printBootstrap)
                .build();
    }

    /** Starts the broker, the registry and every component; returns once all are ready. */
    public DevStack start() throws Exception {
        long begin = System.nanoTime();
        if (settings.kafkaPort() != 0) {
            out.println("Starting Kafka on 127.0.0.1:" + settings.kafkaPort() + " with data in " + settings.dataDir()
                    + " ...");
            out.flush();
        }
        kafka.start();
        new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl())).registerAll(Topics.ALL);
        out.println("Schema registry:         " + kafka.schemaRegistryUrl());
        out.flush();

        DevComponent.DevContext context = new DevComponent.DevContext(settings, kafka.bootstrapServers(),
                kafka.schemaRegistryUrl());
        for (DevComponent.Factory factory : factories) {
            requireOpen();
            DevComponent component = factory.start(context);
            running.push(component);
            component.fatalError().thenAccept(fatal::complete);
        }
        awaitReady();
        printBanner(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return this;
    }

    private void printBootstrap() {
        out.println("Kafka bootstrap servers: " + kafka.bootstrapServers());
        out.flush();
    }

    /** Completes with the first fatal error of any component: the first one wins. */
    public CompletableFuture<Throwable> fatalError() {
        return fatal;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** Closes the components in reverse order of start, then the registry and the broker. Idempotent. */
    @Override
    public void close() {
        closed = true;
        DevComponent component;
        while ((component = running.poll()) != null) {
            try {
                component.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing {} failed: {}", component.name(), e.toString());
            }
        }
        kafka.close();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<String> waiting = new ArrayList<>();
        do {
            requireOpen();
            if (fatal.isDone()) {
                throw new IllegalStateException("a service failed while starting: " + fatal.join().getMessage());
            }
            waiting.clear();
            running.forEach(c -> {
                if (!c.ready()) {
                    waiting.add(c.name());
                }
            });
            if (waiting.isEmpty()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("not ready after " + READY_TIMEOUT.toSeconds() + " s: " + waiting);
    }

    private void printBanner(long millis) {
        out.println();
        out.println("Tollgate dev stack ready in " + millis + " ms");
        out.println("  Kafka bootstrap   " + kafka.bootstrapServers());
        out.println("  Schema registry   " + kafka.schemaRegistryUrl());
        List<DevComponent> inStartOrder = new ArrayList<>(running);
        Collections.reverse(inStartOrder);
        inStartOrder.forEach(c -> c.banner().forEach(line -> out.println("  " + line)));
        out.println("  Data              " + settings.dataDir());
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the dev stack was stopped while starting");
        }
    }
}
