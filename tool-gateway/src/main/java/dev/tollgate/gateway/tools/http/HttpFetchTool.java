package dev.tollgate.gateway.tools.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.ArgsInvalidException;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code http.fetch {url, method?, body?}}: one HTTP GET (default) or POST to a URL the egress allowlist permits
 * ({@link EgressPolicy}, DNS answers included), sent in its canonical form. Redirects are followed by hand, at most
 * five, each target checked against the allowlist again; a redirect outside it is refused. The body is read up to
 * the size cap and refused beyond it; the call's deadline bounds the whole exchange. GET calls are idempotent, POST
 * calls are not.
 */
public final class HttpFetchTool implements Tool {

    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final String SCHEMA = """
            {"type": "object", "required": ["url"], "properties": {
              "url": {"type": "string", "minLength": 1},
              "method": {"enum": ["GET", "POST"]},
              "body": {}}}""";

    private final EgressPolicy policy;
    private final long maxBytes;
    private final HttpClient client;

    public HttpFetchTool(EgressPolicy policy, long maxBytes) {
        this.policy = policy;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Override
    public String name() {
        return "http.fetch";
    }

    @Override
    public String argsSchemaJson() {
        return SCHEMA;
    }

    @Override
    public boolean idempotent() {
        return false;
    }

    @Override
    public boolean idempotent(JsonNode args) {
        return !"POST".equals(method(args));
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        String method = method(call.args());
        URI uri = parse(call.args().path("url").asText());
        JsonNode body = call.args().get("body");
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            uri = policy.check(uri);
            Duration remaining = call.remaining();
            if (remaining.isZero()) {
                throw new HttpTimeoutException("http.fetch ran past its deadline");
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(remaining)
                    .header("Idempotency-Key", call.idempotencyKey());
            if (call.traceparent() != null) {
                request.header("traceparent", call.traceparent());
            }
            if ("POST".equals(method)) {
                boolean text = body != null && body.isTextual();
                String payload = body == null ? "" : text ? body.asText() : body.toString();
                request.header("Content-Type", text ? "text/plain; charset=utf-8" : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(payload));
            } else {
                request.GET();
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            if (REDIRECTS.contains(status)) {
                response.body().close();
                String location = response.headers().firstValue("Location")
                        .orElseThrow(() -> new ToolException("redirect " + status + " without a Location"));
                URI next = parse(uri.resolve(location).toString());
                try {
                    next = policy.check(next);
                } catch (EgressDeniedException e) {
                    throw new EgressDeniedException(e.code(), "redirect to '" + next + "' refused: " + e.detail());
                }
                if (status == 303 || ((status == 301 || status == 302) && "POST".equals(method))) {
                    method = "GET";
                    body = null;
                }
                uri = next;
                continue;
            }
            byte[] bytes = readCapped(response.body());
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("status", status);
            out.put("url", uri.toString());
            out.put("contentType", response.headers().firstValue("Content-Type").orElse(""));
            out.put("bytes", bytes.length);
            out.put("body", new String(bytes, StandardCharsets.UTF_8));
            return out;
        }
        throw new ToolException("more than " + MAX_REDIRECTS + " redirects");
    }

    private byte[] readCapped(InputStream in) throws IOException, ResultTooLargeException {
        try (in) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new ResultTooLargeException("response body is larger than the cap of " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    private static String method(JsonNode args) {
        return args.path("method").asText("GET").toUpperCase(Locale.ROOT);
    }

    private static URI parse(String url) throws ArgsInvalidException {
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute()) {
                throw new ArgsInvalidException("url '" + url + "' is not absolute");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ArgsInvalidException("url is not a valid URI: " + e.getMessage());
        }
    }
}
