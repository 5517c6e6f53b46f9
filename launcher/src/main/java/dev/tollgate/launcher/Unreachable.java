package dev.tollgate.launcher;

import dev.tollgate.events.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * An operator command could not reach Kafka or the schema registry. Every such failure reads the same way, one
 * line on stderr, {@code tollgate: cannot reach <what> at <address> (<why>)}, and exits with {@link #EXIT_CODE}, so
 * a script can tell "the cluster is not there" from "the command found a problem" (1) and "bad usage" (2).
 *
 * <p>{@link #probeKafka} is what makes a wrong {@code --bootstrap-servers} fail fast: a Kafka client retries an
 * unreachable broker silently until its own timeouts (30 to 120 s by default) end, so every operator command first
 * connects to a bootstrap address (a refused connection fails at once) and asks the cluster for its id, each bounded
 * by {@link #TIMEOUT}, before it does anything.
 */
final class Unreachable extends RuntimeException {

    /** The exit code of a command that could not reach Kafka or the schema registry. */
    static final int EXIT_CODE = 3;
    /** How long a command waits for Kafka or the registry to answer before it gives up. */
    static final Duration TIMEOUT = Duration.ofSeconds(7);

    Unreachable(String what, String address, String why) {
        super("cannot reach " + what + " at " + address + " (" + why + ")", null, false, false);
    }

    static Unreachable kafka(String bootstrapServers, String why) {
        return new Unreachable("Kafka", bootstrapServers, why);
    }

    static Unreachable registry(String url, String why) {
        return new Unreachable("the schema registry", url, why);
    }

    static String timedOut() {
        return "timed out after " + TIMEOUT.toSeconds() + " s";
    }

    /**
     * Asks the cluster for its id within {@link #TIMEOUT}; throws when it does not answer. An answer that refuses
     * (authentication, authorization) is not "unreachable" and is left to the command, which reports it.
     */
    static void probeKafka(String bootstrapServers, Map<String, Object> clientConfig) {
        connectToAnyOf(bootstrapServers);
        Admin admin;
        try {
            admin = Admin.create(clientConfig);
        } catch (KafkaException e) {
            String why = rootMessage(e);
            if (why.contains("No resolvable bootstrap urls")) {
                throw kafka(bootstrapServers, "no address of it resolves");
            }
            // Not an address at all: a usage problem, reported as it is.
            throw new IllegalArgumentException("--bootstrap-servers '" + bootstrapServers + "': " + why, e);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis())).clusterId()
                    .get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw kafka(bootstrapServers, timedOut());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw kafka(bootstrapServers, timedOut());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw kafka(bootstrapServers, "interrupted");
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /**
     * Opens (and closes) a TCP connection to the bootstrap addresses until one accepts, so that the usual mistake, a
     * port where nothing listens, is named at once ("connection refused") instead of after the Kafka client's
     * retries. An address this cannot parse is left to the Kafka client.
     */
    private static void connectToAnyOf(String bootstrapServers) {
        String firstFailure = null;
        for (String address : bootstrapServers.split(",")) {
            String trimmed = address.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                return;
            }
            String host = trimmed.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(trimmed.substring(colon + 1));
            } catch (NumberFormatException e) {
                return;
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
                return;
            } catch (java.net.SocketTimeoutException e) {
                firstFailure = firstFailure == null ? timedOut() : firstFailure;
            } catch (java.io.IOException | IllegalArgumentException e) {
                firstFailure = firstFailure == null ? rootMessage(e) : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw kafka(bootstrapServers, firstFailure);
        }
    }

    /**
     * What a failure the command did not foresee means for the operator: a Kafka timeout or a registry that cannot
     * be reached, as an {@link Unreachable} naming the address; anything else is empty (reported as it is).
     */
    static Optional<Unreachable> explain(Throwable failure, String bootstrapServers, String registryUrl) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Unreachable unreachable) {
                return Optional.of(unreachable);
            }
            if (t instanceof TimeoutException && bootstrapServers != null) {
                return Optional.of(kafka(bootstrapServers, "timed out: " + t.getMessage()));
            }
            if (t instanceof SchemaRegistryException registry && registry.httpStatus() < 0 && registryUrl != null) {
                return Optional.of(registry(registryUrl, rootMessage(registry)));
            }
        }
        return Optional.empty();
    }

    /** Why a connection failed, in a few words: "connection refused", "unknown host x", the root cause. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.net.http.HttpTimeoutException) {
                return timedOut();
            }
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            root = t;
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }
}
