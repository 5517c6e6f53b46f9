package dev.tollgate.gateway.upstream;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** {@link TestMcpServer} over Streamable HTTP on Jetty, for a test's lifetime. */
public final class TestMcpServerHttp implements AutoCloseable {

    private final Server jetty;

    private TestMcpServerHttp(Server jetty) {
        this.jetty = jetty;
    }

    /** Starts it on a free port of 127.0.0.1; creates the calls and description files when missing. */
    public static TestMcpServerHttp start(Path calls, Path description) throws Exception {
        if (!Files.exists(description)) {
            Files.writeString(description, "Echoes its text, remotely.");
        }
        if (!Files.exists(calls)) {
            Files.createFile(calls);
        }
        return new TestMcpServerHttp(TestMcpServer.http(calls, description));
    }

    /** The MCP endpoint, like {@code http://127.0.0.1:PORT/mcp}. */
    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/mcp";
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
