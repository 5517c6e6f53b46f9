package dev.tollgate.kafka.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that speaks the part of the Confluent Schema Registry REST API Confluent's clients use
 * (register, look up, by id, subjects, versions, config, compatibility), serving {@code http://127.0.0.1:PORT}
 * with the JDK's HTTP server. Schemas are stored in canonical form (see
 * {@link dev.tollgate.events.registry.CanonicalSchema}) and deduplicated by it, so every language's client finds
 * the same id for the same {@code .avsc}; the default compatibility is {@code BACKWARD_TRANSITIVE}, checked with
 * Avro's {@code SchemaCompatibility}.
 *
 * <p>Reads and writes the compacted {@code _schemas} topic of the broker at {@code bootstrapServers}: the topic is
 * read to its end on start (ids survive restarts) and each registration is acknowledged there before it is
 * answered. Production uses Confluent Schema Registry instead.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String NODELAY = "sun.net.httpserver.nodelay";
    private static final int THREADS = 4;

    private final SchemaStore store;
    private final HttpServer server;
    private final ExecutorService executor;

    private EmbeddedSchemaRegistry(SchemaStore store, HttpServer server, ExecutorService executor) {
        this.store = store;
        this.server = server;
        this.executor = executor;
    }

    /** Restores the schemas from {@code _schemas}, then serves on {@code port} of 127.0.0.1 (0 picks one). */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port) {
        // Without TCP_NODELAY the JDK server answers small responses ~40 ms late (Nagle plus delayed ACK).
        // Read once, when the JDK's server configuration is first loaded.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        SchemaStore store = SchemaStore.open(bootstrapServers);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("cannot serve the schema registry on port " + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "schema-registry-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", new RegistryHandler(store));
        server.start();
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(store, server, executor);
        LOG.debug("Schema registry serving {} from {} on {}", registry.url(), SchemaStore.TOPIC, bootstrapServers);
        return registry;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
