package dev.tollgate.launcher;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One service that {@code tollgate dev} runs next to the embedded broker (intake, policy-processor, tool gateway,
 * projector...). The stack starts components in order, waits until every one is {@link #ready()}, prints their
 * {@link #banner()} lines, and closes them in reverse order before the broker.
 */
public interface DevComponent extends AutoCloseable {

    /** A short name for logs and errors, e.g. {@code intake}. */
    String name();

    /** Whether the component serves; the stack's readiness banner waits for every component. */
    default boolean ready() {
        return true;
    }

    /** Completes with the component's first fatal error (the stack then stops and the process exits non-zero). */
    default CompletableFuture<Throwable> fatalError() {
        return new CompletableFuture<>();
    }

    /** Lines for the readiness banner, e.g. {@code "Intake API        http://127.0.0.1:8080"}. */
    default List<String> banner() {
        return List.of();
    }

    /** Stops the component and releases what it holds; failures are unchecked. */
    @Override
    void close();

    /** Adapts a started service: its name, how to close it, how to tell it is ready, and its banner lines. */
    static DevComponent of(String name, AutoCloseable service, BooleanSupplier ready, String... banner) {
        return of(name, service, ready, new CompletableFuture<>(), banner);
    }

    /** As {@link #of(String, AutoCloseable, BooleanSupplier, String...)}, with the service's fatal error. */
    static DevComponent of(String name, AutoCloseable service, BooleanSupplier ready,
                           CompletableFuture<Throwable> fatal, String... banner) {
        List<String> lines = List.of(banner);
        return new DevComponent() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean ready() {
                return ready.getAsBoolean();
            }

            @Override
            public CompletableFuture<Throwable> fatalError() {
                return fatal;
            }

            @Override
            public List<String> banner() {
                return lines;
            }

            @Override
            public void close() {
                try {
                    service.close();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("closing " + name + " failed: " + e, e);
                }
            }
        };
    }

    /** Starts a component once the broker and the registry are up. */
    @FunctionalInterface
    interface Factory {
        DevComponent start(DevContext context) throws Exception;
    }

    /**
     * What a component needs to start: the stack's settings and the addresses of the embedded broker and registry.
     *
     * @param settings          the dev stack's settings (data directory, ports, gateway configuration)
     * @param bootstrapServers  the embedded broker, {@code 127.0.0.1:PORT}
     * @param schemaRegistryUrl the embedded registry, {@code http://127.0.0.1:PORT}
     */
    record DevContext(DevSettings settings, String bootstrapServers, String schemaRegistryUrl) {
    }
}
