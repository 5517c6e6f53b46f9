package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.http.EgressDeniedException;
import dev.tollgate.gateway.tools.http.EgressPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiToolTest {

    private HttpServer server;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/", ex -> {
            byte[] bytes = ex.getRequestURI().getRawPath().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private HttpApiTool tool() {
        return new HttpApiTool(new UpstreamSpecs.HttpToolSpec("tickets.get", "GET", base + "/api/tickets/{id}",
                Map.of(), false, Optional.empty(), null), EgressPolicy.parse(List.of(base + "/api/")), 10_000);
    }

    private static ToolCall call(String args) {
        return new ToolCall("run-1", "call-1", CanonicalJson.parse(args), Instant.now().plusSeconds(5));
    }

    @Test
    void anArgumentIsOnePathSegmentSentInCanonicalForm() throws Exception {
        JsonNode out = tool().execute(call("{\"id\":\"T-1 ~x\"}"));
        assertThat(out.path("status").asInt()).isEqualTo(200);
        assertThat(out.path("body").asText()).isEqualTo("/api/tickets/T-1%20~x");
    }

    @Test
    void anArgumentThatWouldLeaveThePrefixIsRefused() {
        for (String id : List.of("..", ".", "..;", "a;b", "a/b", "%2e%2e")) {
            assertThatThrownBy(() -> tool().execute(call("{\"id\":\"" + id + "\"}")))
                    .as(id)
                    .isInstanceOf(EgressDeniedException.class)
                    .hasMessageStartingWith(EgressPolicy.PATH_NOT_CANONICAL + ": ");
        }
    }
}
