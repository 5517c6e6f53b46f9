package dev.tollgate.gateway.tools.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.ToolCall;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpFetchToolTest {

    private HttpServer server;
    private String base;
    private final AtomicInteger posts = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/public/hello", ex -> respond(ex, 200, "hello " + ex.getRequestMethod()));
        server.createContext("/public/post", ex -> {
            posts.incrementAndGet();
            respond(ex, 200, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        });
        server.createContext("/public/big", ex -> respond(ex, 200, "x".repeat(5000)));
        server.createContext("/public/redirect-inside", ex -> redirect(ex, "/public/hello"));
        server.createContext("/public/redirect-outside", ex -> redirect(ex, "/private/secret"));
        server.createContext("/public/redirect-away", ex -> redirect(ex, "http://example.org/"));
        server.createContext("/private/secret", ex -> respond(ex, 200, "secret"));
        server.createContext("/public/echo", ex -> respond(ex, 200, ex.getRequestURI().getRawPath()));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private HttpFetchTool tool(long cap) {
        return new HttpFetchTool(EgressPolicy.parse(List.of(base + "/public/")), cap);
    }

    private static ToolCall call(String args) {
        return new ToolCall("run-1", "call-1", CanonicalJson.parse(args), Instant.now().plusSeconds(30));
    }

    @Test
    void getsAndPostsInsideTheAllowlist() throws Exception {
        JsonNode get = tool(1000).execute(call("{\"url\":\"" + base + "/public/hello\"}"));
        assertThat(get.path("status").asInt()).isEqualTo(200);
        assertThat(get.path("body").asText()).isEqualTo("hello GET");

        JsonNode post = tool(1000).execute(call("{\"url\":\"" + base + "/public/post\",\"method\":\"POST\","
                + "\"body\":{\"k\":1}}"));
        assertThat(post.path("body").asText()).isEqualTo("{\"k\":1}");
        assertThat(posts).hasValue(1);
        assertThat(tool(1000).idempotent(CanonicalJson.parse("{\"url\":\"x\",\"method\":\"POST\"}"))).isFalse();
        assertThat(tool(1000).idempotent(CanonicalJson.parse("{\"url\":\"x\"}"))).isTrue();
    }

    @Test
    void refusesUrlsOutsideTheAllowlistWithAClearError() {
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + "/private/secret\"}")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("not in the egress allowlist");
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"http://example.org/public/hello\"}")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("not in the egress allowlist");
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + "/public/../private/secret\"}")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("dot segment");
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"https://127.0.0.1:"
                + server.getAddress().getPort() + "/public/hello\"}")))
                .isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void refusesParameterTraversalBeforeMatching() {
        assertNotCanonical("/public/..;/private", "';' parameter");
    }

    @Test
    void refusesDoubleEncodedDotSegments() {
        assertNotCanonical("/public/%252e%252e/private", "encoded percent sign");
    }

    @Test
    void refusesATrailingDotSegment() {
        assertNotCanonical("/public/.", "dot segment");
    }

    @Test
    void refusesEncodedDotSegments() {
        assertNotCanonical("/public/%2e%2e/private", "dot segment");
        assertNotCanonical("/public/%2E./private", "dot segment");
    }

    @Test
    void refusesParametersInPathSegments() {
        assertNotCanonical("/public/a;b/c", "';' parameter");
        assertNotCanonical("/public/a%3bb/c", "';' parameter");
    }

    @Test
    void refusesEncodedSeparatorsAndControlCharacters() {
        assertNotCanonical("/public/a%2fb", "encoded separator");
        assertNotCanonical("/public/a%5Cb", "encoded separator");
        assertNotCanonical("/public/a%00b", "control character");
        assertNotCanonical("/public/%ff", "not UTF-8");
    }

    @Test
    void sendsTheCanonicalPathOfAnAllowedUrl() throws Exception {
        JsonNode plain = tool(1000).execute(call("{\"url\":\"" + base + "/public/echo/a-b_c~d\"}"));
        assertThat(plain.path("status").asInt()).isEqualTo(200);
        assertThat(plain.path("body").asText()).isEqualTo("/public/echo/a-b_c~d");

        JsonNode decoded = tool(1000).execute(call("{\"url\":\"" + base + "/public/%65cho/%7e%20x?q=%2e\"}"));
        assertThat(decoded.path("body").asText()).isEqualTo("/public/echo/~%20x");
        assertThat(decoded.path("url").asText()).isEqualTo(base + "/public/echo/~%20x?q=%2e");
    }

    @Test
    void theRestToolsShareTheRuleThroughCheck() throws Exception {
        EgressPolicy policy = EgressPolicy.parse(List.of(base + "/public/"));
        assertThat(policy.check(URI.create(base + "/public/%61"))).isEqualTo(URI.create(base + "/public/a"));
        assertThatThrownBy(() -> policy.check(URI.create(base + "/public/..%3B/private")))
                .isInstanceOf(EgressDeniedException.class)
                .satisfies(e -> assertThat(((EgressDeniedException) e).code())
                        .isEqualTo(EgressPolicy.PATH_NOT_CANONICAL));
        assertThatThrownBy(() -> EgressPolicy.parse(List.of(base + "/public/../")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dot segment");
    }

    private void assertNotCanonical(String path, String problem) {
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + path + "\"}")))
                .isInstanceOf(EgressDeniedException.class)
                .hasMessageStartingWith(EgressPolicy.PATH_NOT_CANONICAL + ": ")
                .hasMessageContaining(problem);
    }

    @Test
    void followsRedirectsOnlyInsideTheAllowlist() throws Exception {
        JsonNode inside = tool(1000).execute(call("{\"url\":\"" + base + "/public/redirect-inside\"}"));
        assertThat(inside.path("body").asText()).isEqualTo("hello GET");

        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + "/public/redirect-outside\"}")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("redirect to");
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + "/public/redirect-away\"}")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("example.org");
    }

    @Test
    void capsTheResponseSize() {
        assertThatThrownBy(() -> tool(1000).execute(call("{\"url\":\"" + base + "/public/big\"}")))
                .isInstanceOf(ResultTooLargeException.class).hasMessageContaining("1000 bytes");
    }

    @Test
    void refusesNamesThatResolveToNonPublicAddresses() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress metadata = InetAddress.getByName("169.254.169.254");
        InetAddress privateNet = InetAddress.getByName("10.1.2.3");
        InetAddress publicAddress = InetAddress.getByName("93.184.216.34");
        EgressPolicy policy = EgressPolicy.parse(List.of("https://api.example.com/v1/", "http://localhost:8080/"),
                host -> switch (host) {
                    case "api.example.com" -> new InetAddress[] {publicAddress, metadata};
                    case "localhost" -> new InetAddress[] {loopback};
                    default -> throw new java.net.UnknownHostException(host);
                });

        assertThatThrownBy(() -> policy.check(URI.create("https://api.example.com/v1/items")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("169.254.169.254")
                .hasMessageContaining("DNS rule");
        policy.check(URI.create("http://localhost:8080/x"));

        EgressPolicy rebound = EgressPolicy.parse(List.of("https://api.example.com/v1/"),
                host -> new InetAddress[] {privateNet});
        assertThatThrownBy(() -> rebound.check(URI.create("https://api.example.com/v1/items")))
                .isInstanceOf(EgressDeniedException.class).hasMessageContaining("10.1.2.3");
        EgressPolicy publicOnly = EgressPolicy.parse(List.of("https://api.example.com/v1/"),
                host -> new InetAddress[] {publicAddress});
        publicOnly.check(URI.create("https://api.example.com/v1/items?q=1"));
        assertThatThrownBy(() -> publicOnly.check(URI.create("https://api.example.com/v1x")))
                .isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void anEmptyAllowlistReachesNothing() {
        HttpFetchTool none = new HttpFetchTool(EgressPolicy.parse(List.of()), 1000);
        assertThatThrownBy(() -> none.execute(call("{\"url\":\"" + base + "/public/hello\"}")))
                .isInstanceOf(EgressDeniedException.class);
    }
}
