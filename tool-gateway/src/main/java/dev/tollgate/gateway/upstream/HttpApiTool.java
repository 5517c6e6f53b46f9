package dev.tollgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.ArgsInvalidException;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.http.EgressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A REST endpoint of the {@code http_tools} config as a tool, without code: the URL's {@code {param}} placeholders
 * are filled from the arguments (percent-encoded as one path segment), the configured headers are sent (secrets
 * resolved in the gateway only), and with {@code body: args} the arguments are the JSON body. The URL must pass the
 * egress allow-list like {@code http.fetch} (an argument that makes a dot segment, a {@code ;} parameter or an encoded
 * separator is refused) and is sent in its canonical form; redirects are not followed. The result is
 * {@code {status, contentType, body}} ({@code body} as JSON when the response is JSON); a non-2xx status is a failure
 * naming the status, and no request header is ever part of a result or message.
 */
final class HttpApiTool implements Tool {

    private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final UpstreamSpecs.HttpToolSpec spec;
    private final EgressPolicy egress;
    private final int maxBytes;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    HttpApiTool(UpstreamSpecs.HttpToolSpec spec, EgressPolicy egress, int maxBytes) {
        this.spec = spec;
        this.egress = egress;
        this.maxBytes = maxBytes;
    }

    @Override
    public String name() {
        return spec.name();
    }

    /** Any object: the bundle's schema for this tool is what constrains the arguments. */
    @Override
    public String argsSchemaJson() {
        return "{\"type\":\"object\"}";
    }

    @Override
    public boolean idempotent() {
        return false;
    }

    /** A GET is retried on transient failures (with the call's Idempotency-Key); anything else runs at most once. */
    @Override
    public boolean idempotent(JsonNode args) {
        return "GET".equals(spec.method());
    }

    @Override
    public Optional<Duration> timeout() {
        return spec.timeout();
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        URI uri = egress.check(uri(call.args()));
        Duration remaining = call.remaining();
        if (remaining.isZero()) {
            throw new HttpTimeoutException(name() + " ran past its deadline");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(remaining)
                .header("Idempotency-Key", call.idempotencyKey());
        spec.headers().forEach(request::header);
        if (spec.bodyArgs()) {
            request.header("Content-Type", "application/json")
                    .method(spec.method(), HttpRequest.BodyPublishers.ofString(call.args().toString()));
        } else {
            request.method(spec.method(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, name() + ": cannot reach "
                    + uri.getScheme() + "://" + uri.getAuthority() + ": " + e.getClass().getSimpleName(), true, null);
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) {
            throw new ResultTooLargeException(name() + ": response body is larger than the cap of " + maxBytes
                    + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new UpstreamException(UpstreamException.Kind.HTTP_STATUS, name() + ": upstream answered HTTP "
                    + status + ": " + (text.length() > 500 ? text.substring(0, 500) + "..." : text), status >= 500,
                    null);
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("status", status);
        out.put("contentType", contentType);
        JsonNode json = null;
        if (contentType.contains("json") && !text.isBlank()) {
            try {
                json = MAPPER.readTree(text);
            } catch (IOException e) {
                json = null;
            }
        }
        if (json != null) {
            out.set("body", json);
        } else {
            out.put("body", text);
        }
        return out;
    }

    /** The URL with each {@code {param}} replaced by the argument's value, percent-encoded as a path segment. */
    URI uri(JsonNode args) throws ArgsInvalidException {
        Matcher m = PARAM.matcher(spec.url());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode value = args.get(m.group(1));
            if (value == null || !value.isValueNode() || value.isNull() || value.asText().isEmpty()) {
                throw new ArgsInvalidException(name() + " needs argument '" + m.group(1) + "' (a non-empty string or"
                        + " number) for its URL");
            }
            String encoded = URLEncoder.encode(value.asText(), StandardCharsets.UTF_8).replace("+", "%20");
            m.appendReplacement(out, Matcher.quoteReplacement(encoded));
        }
        m.appendTail(out);
        return URI.create(out.toString());
    }
}
