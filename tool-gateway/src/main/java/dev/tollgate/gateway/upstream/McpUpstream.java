package dev.tollgate.gateway.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.gateway.tools.ToolException;
import dev.tollgate.gateway.tools.ToolOutcomeUnknownException;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream MCP server, through the official MCP Java SDK client: stdio (a child process) or Streamable HTTP.
 * Connects at start, lists its tools, and keeps the connection alive: a keeper pings it, and when a ping fails or a
 * stdio server's process exits, reconnects (a new process for stdio) with exponential backoff, logging each attempt.
 * {@code notifications/tools/list_changed} and every reconnect refresh the tool list, which is handed to the
 * catalog. Settings with secrets (headers, env) are passed to the SDK and never logged.
 */
final class McpUpstream implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(McpUpstream.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final McpJsonMapper JSON = new JacksonMcpJsonMapper(MAPPER);
    private static final Duration KEEPALIVE = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** Start processes one at a time, so a new child process can be told apart from the others. */
    private static final Object SPAWN_LOCK = new Object();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tollgate-mcp-call");
        t.setDaemon(true);
        return t;
    });

    private final UpstreamSpecs.McpServerSpec spec;
    private final Duration requestTimeout;
    private final String gatewayId;
    private final Consumer<List<ToolDefinition>> onTools;
    private final Clock clock;
    private final ScheduledExecutorService keeper;

    private volatile McpSyncClient client;
    /** Completed when the current connection is lost (process exit or failed ping); renewed on reconnect. */
    private volatile CompletableFuture<String> lost = new CompletableFuture<>();
    private volatile Map<String, McpSchema.Tool> tools = Map.of();
    private volatile Map<String, ToolDefinition> definitions = Map.of();
    private volatile String lastError = "not connected yet";
    private volatile boolean closed;
    private Duration backoff = Duration.ofMillis(500);
    private long reconnects;

    McpUpstream(UpstreamSpecs.McpServerSpec spec, Duration requestTimeout, String gatewayId,
                Consumer<List<ToolDefinition>> onTools, Clock clock) {
        this.spec = spec;
        this.requestTimeout = requestTimeout;
        this.gatewayId = gatewayId;
        this.onTools = onTools;
        this.clock = clock;
        this.keeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-mcp-" + spec.name());
            t.setDaemon(true);
            return t;
        });
    }

    String name() {
        return spec.name();
    }

    Optional<Duration> timeout() {
        return spec.timeout();
    }

    /** Connects once (bounded); on failure keeps retrying in the background. Returns whether it is connected. */
    boolean start() {
        boolean up = connect();
        keeper.schedule(this::keep, up ? KEEPALIVE.toMillis() : backoff.toMillis(), TimeUnit.MILLISECONDS);
        return up;
    }

    boolean connected() {
        return client != null;
    }

    /** The server's tools by their upstream names, as last listed. */
    Map<String, McpSchema.Tool> tools() {
        return tools;
    }

    /** The catalog definitions by full tool name ({@code <server>.<tool>}), as last listed. */
    Map<String, ToolDefinition> definitions() {
        return definitions;
    }

    /** Re-lists the tools now (before a pinned call); returns the fresh definitions. */
    Map<String, ToolDefinition> refresh() throws ToolException {
        McpSyncClient current = requireClient();
        try {
            applyTools(current.listTools().tools());
        } catch (RuntimeException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR, "upstream MCP server '" + spec.name()
                    + "' did not list its tools: "
                    + describe(e), true, e);
        }
        return definitions;
    }

    /**
     * Runs {@code tools/call}. A server that is not connected is a failure before anything is sent; a connection
     * lost while the call was out is {@link ToolOutcomeUnknownException}; a JSON-RPC error is a failure.
     */
    McpSchema.CallToolResult call(String tool, Map<String, Object> args) throws Exception {
        McpSyncClient current = requireClient();
        CompletableFuture<String> lostNow = lost;
        CompletableFuture<McpSchema.CallToolResult> result = CompletableFuture.supplyAsync(
                () -> current.callTool(new McpSchema.CallToolRequest(tool, args)), CALLS);
        try {
            CompletableFuture.anyOf(result, lostNow).get();
            if (result.isDone()) {
                return result.get();
            }
            throw new ToolOutcomeUnknownException("upstream MCP server '" + spec.name() + "' was lost while the call"
                    + " was running (" + lostNow.getNow("connection closed") + "); whether it took effect is unknown,"
                    + " and it is not run again", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof McpError error) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR, "upstream MCP server '"
                        + spec.name() + "' answered with an error: " + error.getMessage(), false, null);
            }
            connectionLost("call failed: " + describe(cause));
            throw new ToolOutcomeUnknownException("the connection to upstream MCP server '" + spec.name()
                    + "' failed while the call was running (" + describe(cause) + "); whether it took effect is"
                    + " unknown, and it is not run again", cause);
        } catch (InterruptedException e) {
            result.cancel(true);
            throw e;
        }
    }

    private McpSyncClient requireClient() throws ToolException {
        McpSyncClient current = client;
        if (current == null) {
            throw new UpstreamException(UpstreamException.Kind.NOT_CONNECTED, "upstream MCP server '" + spec.name()
                    + "' is not connected (" + lastError
                    + "); the call was not sent", false, null);
        }
        return current;
    }

    private void keep() {
        if (closed) {
            return;
        }
        long delay;
        if (client == null) {
            reconnects++;
            LOG.warn("mcp server {}: reconnecting (attempt {}, after {} ms)", spec.name(), reconnects,
                    backoff.toMillis());
            if (connect()) {
                LOG.info("mcp server {}: reconnected after {} attempt(s)", spec.name(), reconnects);
                reconnects = 0;
                backoff = Duration.ofMillis(500);
                delay = KEEPALIVE.toMillis();
            } else {
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                delay = backoff.toMillis();
            }
        } else {
            try {
                client.ping();
            } catch (RuntimeException e) {
                connectionLost("ping failed: " + describe(e));
            }
            delay = client == null ? backoff.toMillis() : KEEPALIVE.toMillis();
        }
        if (!closed) {
            keeper.schedule(this::keep, delay, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void connectionLost(String why) {
        McpSyncClient current = client;
        if (current == null) {
            return;
        }
        client = null;
        lastError = why;
        lost.complete(why);
        LOG.warn("mcp server {}: connection lost ({}); reconnecting with backoff", spec.name(), why);
        closeQuietly(current);
    }

    private boolean connect() {
        McpSyncClient fresh = null;
        try {
            McpClientTransport transport;
            Optional<ProcessHandle> process = Optional.empty();
            if (spec.stdio()) {
                ServerParameters params = ServerParameters.builder(spec.command().get(0))
                        .args(spec.command().subList(1, spec.command().size())).env(spec.env()).build();
                StdioClientTransport stdio = new StdioClientTransport(params, JSON);
                stdio.setStdErrorHandler(line -> LOG.debug("mcp server {} stderr: {}", spec.name(), line));
                transport = stdio;
            } else {
                HttpClientStreamableHttpTransport.Builder builder = HttpClientStreamableHttpTransport
                        .builder(baseOf(spec.url())).endpoint(pathOf(spec.url())).jsonMapper(JSON)
                        .connectTimeout(Duration.ofSeconds(5));
                if (!spec.headers().isEmpty()) {
                    builder.httpRequestCustomizer((request, method, uri, body, context) ->
                            spec.headers().forEach(request::header));
                }
                transport = builder.build();
            }
            fresh = McpClient.sync(transport)
                    .requestTimeout(requestTimeout)
                    .initializationTimeout(Duration.ofSeconds(20))
                    .clientInfo(new McpSchema.Implementation("tollgate-tool-gateway", "1"))
                    .toolsChangeConsumer(this::toolsChanged)
                    .build();
            CompletableFuture<String> lostNext = new CompletableFuture<>();
            if (spec.stdio()) {
                synchronized (SPAWN_LOCK) {
                    Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid)
                            .collect(Collectors.toSet());
                    fresh.initialize();
                    process = ProcessHandle.current().children().filter(p -> !before.contains(p.pid())).findFirst();
                }
            } else {
                fresh.initialize();
            }
            List<McpSchema.Tool> listed = fresh.listTools().tools();
            synchronized (this) {
                lost = lostNext;
                client = fresh;
                applyTools(listed);
            }
            McpSyncClient connected = fresh;
            process.ifPresent(p -> p.onExit().thenRun(() -> {
                if (client == connected) {
                    connectionLost("process " + p.pid() + " exited");
                }
            }));
            LOG.info("mcp server {} connected ({}): {} tools", spec.name(), spec.stdio() ? "stdio" : "http",
                    listed.size());
            return true;
        } catch (RuntimeException e) {
            lastError = describe(e);
            LOG.warn("mcp server {}: cannot connect: {}", spec.name(), lastError);
            if (fresh != null) {
                closeQuietly(fresh);
            }
            return false;
        }
    }

    private void toolsChanged(List<McpSchema.Tool> listed) {
        LOG.info("mcp server {}: tools/list_changed, {} tools", spec.name(), listed.size());
        applyTools(listed);
    }

    private synchronized void applyTools(List<McpSchema.Tool> listed) {
        Map<String, McpSchema.Tool> byName = new LinkedHashMap<>();
        Map<String, ToolDefinition> defs = new LinkedHashMap<>();
        for (McpSchema.Tool tool : listed) {
            byName.put(tool.name(), tool);
            ToolDefinition def = ToolDefinitions.of(spec.name(), tool, gatewayId,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS));
            defs.put(def.getName(), def);
        }
        boolean changed = !sameDigests(defs, definitions);
        tools = Map.copyOf(byName);
        definitions = Map.copyOf(defs);
        if (changed) {
            onTools.accept(List.copyOf(defs.values()));
        }
    }

    private static boolean sameDigests(Map<String, ToolDefinition> a, Map<String, ToolDefinition> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> e.getValue().getSha256().equals(b.get(e.getKey()).getSha256()));
    }

    /** A failure's message without URLs' query strings or header values (they are never part of SDK messages). */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    private static String baseOf(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String pathOf(String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static void closeQuietly(McpSyncClient c) {
        try {
            c.closeGracefully();
        } catch (RuntimeException e) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // nothing left to do: the connection is gone either way
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        keeper.shutdownNow();
        McpSyncClient current = client;
        client = null;
        if (current != null) {
            closeQuietly(current);
        }
    }
}
