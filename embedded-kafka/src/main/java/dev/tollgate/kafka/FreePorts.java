package dev.tollgate.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Loopback ports for listeners that are bound later (the embedded broker's, the dev stack's HTTP servers), each one
 * handed out at most once per JVM.
 *
 * <p>Asking the kernel for a free port and closing it leaves the port free again, so two such asks, or one made
 * after a listener closed its port for a restart, can give the same number; two listeners then fail to start on it
 * (CI saw "two listeners on the same port" from a broker restart). Remembering what was handed out rules that out
 * within the JVM; another process taking the port before it is bound remains possible, and the listener then fails
 * with its own clear error.
 */
public final class FreePorts {

    private static final int ATTEMPTS = 64;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A free loopback port that this JVM has not been given before. */
    public static int next() {
        return next(FreePorts::askTheKernel);
    }

    static int next(IntSupplier kernel) {
        synchronized (HANDED_OUT) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int port = kernel.getAsInt();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no free loopback port that was not handed out before, after " + ATTEMPTS
                + " attempts");
    }

    /**
     * Marks a port as handed out (a listener bound to a port chosen elsewhere), so that {@link #next()} never gives
     * it.
     */
    public static void reserve(int port) {
        synchronized (HANDED_OUT) {
            HANDED_OUT.add(port);
        }
    }

    private static int askTheKernel() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
