package dev.tollgate.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded generator of malformed (and occasionally well-formed) requests: random routes, paths, query strings,
 * methods, headers and bodies, sent to a running intake; every answer is checked to be below 500 and, unless it is a
 * success or a HEAD, a JSON error {@code {"error": {"code", "message"}}}. A failing case is reported with its seed
 * and index, so it can be replayed.
 */
final class MalformedRequests {

    /** One answer that broke the contract. */
    record Failure(long seed, int index, String request, int status, String body) {
    }

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};
    private static final String[] TEMPLATES = {
        "POST /v1/identities", "DELETE /v1/identities/{id}", "PUT /v1/policies/{name}", "POST /v1/runs",
        "POST /v1/runs/{run}/tool-calls", "POST /v1/runs/{run}/usage", "POST /v1/runs/{run}/artifacts",
        "POST /v1/runs/{run}/stages/{name}/complete", "POST /v1/runs/{run}/finish", "POST /v1/approvals/{id}",
        "PUT /v1/kill-switches/{scope}/{id}", "DELETE /v1/kill-switches/{scope}/{id}", "GET /health",
        "PUT /v1/identities/{id}/public-key", "DELETE /v1/identities/{id}/public-key"};
    private static final String[] FIELDS = {"name", "kind", "tenant", "roles", "workflow", "environment",
        "classification", "input", "budget", "tool", "args", "callId", "model", "inputTokens", "outputTokens", "type",
        "content", "stage", "outcome", "summary", "decision", "reason", "maxToolCalls", "costMicros", "tokens",
        "publicKey"};

    private final HttpApi api;
    private final List<String> keys;
    private final List<String> runIds;
    private final long seed;
    private final Random random;
    private int transportRetries;

    MalformedRequests(HttpApi api, List<String> keys, List<String> runIds, long seed) {
        this.api = api;
        this.keys = keys;
        this.runIds = runIds;
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** Sends {@code count} requests through the HTTP client and returns the broken answers. */
    List<Failure> sendThroughClient(int count) {
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String method = random.nextInt(5) == 0 ? pick(METHODS) : null;
            String template = pick(TEMPLATES);
            if (method == null) {
                method = template.substring(0, template.indexOf(' '));
            }
            String path = random.nextInt(8) == 0 ? randomPath() : fill(template.substring(template.indexOf(' ') + 1));
            if (random.nextInt(4) == 0) {
                path += "?" + randomQuery();
            }
            Map<String, String> headers = randomHeaders();
            byte[] body = randomBody();
            URI uri;
            try {
                uri = URI.create(api.base() + path);
            } catch (IllegalArgumentException e) {
                continue;
            }
            String request = method + " " + abbreviate(path) + " " + headers + " body=" + (body == null ? "none"
                    : body.length + "B " + abbreviate(new String(body, 0, Math.min(body.length, 60),
                    StandardCharsets.UTF_8)));
            HttpApi.Answer answer = null;
            String transportError = null;
            boolean unsendable = false;
            // A refused request whose body was not read makes the server close its connection; a pooled keep-alive
            // connection can then race with the next request. Up to three attempts, each after a transport failure;
            // a request that never gets an answer is a failure.
            for (int attempt = 0; attempt < 3 && answer == null && !unsendable; attempt++) {
                try {
                    answer = api.send(method, uri, headers, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
                } catch (IllegalArgumentException e) {
                    unsendable = true; // a header value the client itself refuses to send
                } catch (IllegalStateException e) {
                    transportError = e.getMessage();
                    transportRetries++;
                }
            }
            if (unsendable) {
                continue;
            }
            if (answer == null) {
                failures.add(new Failure(seed, i, request, -1, transportError));
                continue;
            }
            check(i, request, method, path, answer.status(), answer.body(), answer.json()).ifPresent(failures::add);
        }
        return failures;
    }

    /** Requests sent again after a transport failure (see {@link #sendThroughClient}). */
    int transportRetries() {
        return transportRetries;
    }

    /** Sends {@code count} raw requests over a socket: broken request lines, headers, encodings. */
    List<Failure> sendRaw(int count, int port) {
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String raw = randomRawRequest();
            String answer;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 5000);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
                answer = readAll(socket.getInputStream());
            } catch (IOException e) {
                failures.add(new Failure(seed, i, abbreviate(raw), -1, e.toString()));
                continue;
            }
            int status = statusOf(answer);
            int split = answer.indexOf("\r\n\r\n");
            String head = split < 0 ? answer : answer.substring(0, split);
            String body = split < 0 ? "" : answer.substring(split + 4);
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            String method = raw.split(" ", 2)[0];
            check(i, abbreviate(raw), method, "", status, body, HttpApi.parse(body)).ifPresent(failures::add);
        }
        return failures;
    }

    private Optional<Failure> check(int index, String request, String method, String path, int status,
                                              String body, JsonNode json) {
        boolean ok = status > 0 && status < 500;
        if (ok && status >= 400 && !"HEAD".equals(method)) {
            ok = json != null && json.path("error").path("code").isTextual()
                    && json.path("error").path("message").isTextual();
        }
        if (ok && status < 300 && !"HEAD".equals(method) && !path.startsWith("/metrics")) {
            ok = json != null;
        }
        return ok ? Optional.empty()
                : Optional.of(new Failure(seed, index, request, status, abbreviate(body)));
    }

    private String fill(String template) {
        return template
                .replace("{run}", random.nextInt(3) == 0 ? token() : pick(runIds))
                .replace("{scope}", random.nextBoolean() ? pick(new String[] {"global", "tenant", "agent", "run"})
                        : token())
                .replace("{name}", token())
                .replace("{id}", token());
    }

    private String token() {
        return switch (random.nextInt(7)) {
            case 0 -> "default";
            case 1 -> encode(randomUnicode(1 + random.nextInt(20)));
            case 2 -> "x".repeat(1 + random.nextInt(3000));
            case 3 -> "%" + Integer.toHexString(random.nextInt(256));
            case 4 -> "..";
            case 5 -> UUID.randomUUID().toString();
            default -> encode(randomAscii(1 + random.nextInt(40)));
        };
    }

    private String randomPath() {
        StringBuilder path = new StringBuilder();
        int segments = random.nextInt(8);
        for (int i = 0; i < segments; i++) {
            path.append(random.nextInt(10) == 0 ? "//" : "/").append(random.nextBoolean() ? pick(new String[] {
                "v1", "runs", "tool-calls", "approvals", "identities", "kill-switches", "stages", "complete",
                "health", "metrics", "policies", ".", ".."}) : token());
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    private String randomQuery() {
        return switch (random.nextInt(5)) {
            case 0 -> "waitMs=" + random.nextLong();
            case 1 -> "waitMs=" + encode(randomAscii(5));
            case 2 -> "waitMs=" + random.nextInt(50);
            case 3 -> "waitMs=&waitMs=1&x=" + encode(randomUnicode(4));
            default -> encode(randomAscii(10)) + "=" + encode(randomAscii(10));
        };
    }

    private Map<String, String> randomHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (random.nextInt(7)) {
            case 0 -> {
            }
            case 1 -> headers.put("Authorization", "Bearer " + randomAscii(random.nextInt(60)).trim());
            case 2 -> headers.put("Authorization", pick(new String[] {"Basic abc", "Bearer", "bearer tg_",
                "Token tg_x", "Bearer tg_" + "A".repeat(300)}));
            default -> headers.put("Authorization", (random.nextBoolean() ? "Bearer " : "bearer  ") + pick(keys));
        }
        if (random.nextInt(3) == 0) {
            headers.put("Content-Type", pick(new String[] {"application/json", "text/plain", "application/x-yaml",
                "multipart/form-data; boundary=x", randomAscii(10).trim() + "/x"}));
        }
        if (random.nextInt(3) == 0) {
            headers.put("Idempotency-Key", random.nextBoolean() ? randomAscii(1 + random.nextInt(300)).trim()
                    : "key-" + random.nextInt(5));
        }
        if (random.nextInt(3) == 0) {
            headers.put("traceparent", random.nextBoolean() ? randomAscii(55).trim()
                    : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        }
        headers.entrySet().removeIf(e -> e.getValue().isEmpty());
        return headers;
    }

    private byte[] randomBody() {
        return switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> randomBytes(random.nextInt(200));
            case 2 -> utf8(randomJson(0));
            case 3 -> {
                String json = randomObject(0);
                yield utf8(json.substring(0, random.nextInt(json.length() + 1)));
            }
            case 4 -> utf8("[".repeat(2000 + random.nextInt(20_000)));
            case 5 -> utf8("{\"a\":\"" + "x".repeat(1 << 20) + "\"}");
            case 6 -> utf8("metadata:\n  name: " + randomAscii(8) + "\n  version: " + randomAscii(3) + "\n"
                    + randomAscii(random.nextInt(100)));
            case 7 -> utf8("{\"decision\":\"" + pick(new String[] {"approve", "deny", "maybe"})
                    + "\",\"reason\":" + randomJson(1) + "}");
            case 8 -> utf8("{\"n\":1" + "0".repeat(random.nextInt(3000)) + "}");
            default -> utf8(randomObject(0));
        };
    }

    private String randomObject(int depth) {
        StringBuilder json = new StringBuilder("{");
        int fields = random.nextInt(8);
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                json.append(',');
            }
            String name = random.nextInt(5) == 0 ? randomAscii(5) : pick(FIELDS);
            json.append('"').append(escape(name)).append("\":").append(randomJson(depth + 1));
        }
        return json.append('}').toString();
    }

    private String randomJson(int depth) {
        int kind = depth > 4 ? random.nextInt(6) : random.nextInt(8);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> Boolean.toString(random.nextBoolean());
            case 2 -> Long.toString(random.nextLong());
            case 3 -> random.nextBoolean() ? "1e999" : "-0.5";
            case 4 -> '"' + escape(random.nextBoolean() ? randomUnicode(random.nextInt(30))
                    : pick(new String[] {"agent", "human", "service", "research", "echo", "approve", "global", "",
                        " "})) + '"';
            case 5 -> "\"" + "y".repeat(random.nextInt(300)) + "\"";
            case 6 -> randomObject(depth + 1);
            default -> {
                StringBuilder array = new StringBuilder("[");
                int items = random.nextInt(4);
                for (int i = 0; i < items; i++) {
                    array.append(i > 0 ? "," : "").append(randomJson(depth + 1));
                }
                yield array.append(']').toString();
            }
        };
    }

    private String randomRawRequest() {
        String key = pick(keys);
        String path = switch (random.nextInt(6)) {
            case 0 -> "/v1/runs/%zz/usage";
            case 1 -> "/v1/runs/" + randomAscii(20).replace(' ', '_');
            case 2 -> "/v1/" + "%00".repeat(random.nextInt(4)) + "runs";
            case 3 -> "*";
            case 4 -> "/" + "a".repeat(20_000 + random.nextInt(20_000));
            default -> "/v1/runs";
        };
        String method = random.nextInt(6) == 0 ? randomAscii(6).replace(' ', 'X') : pick(METHODS);
        // Only HTTP/1.x request lines: Jetty answers any other protocol version with 505, before any route.
        String version = random.nextInt(8) == 0 ? "HTTP/1.0" : "HTTP/1.1";
        StringBuilder raw = new StringBuilder(method + " " + path + " " + version + "\r\nHost: localhost\r\n");
        raw.append("Connection: close\r\n");
        if (random.nextBoolean()) {
            raw.append("Authorization: Bearer ").append(key).append("\r\n");
        }
        switch (random.nextInt(6)) {
            case 0 -> raw.append("Content-Length: ").append(random.nextBoolean() ? "-1" : "abc").append("\r\n");
            case 1 -> raw.append("Transfer-Encoding: chunked\r\n");
            case 2 -> raw.append("Bad Header Without Colon\r\n");
            case 3 -> raw.append("X-Big: ").append("b".repeat(40_000)).append("\r\n");
            case 4 -> raw.append("Content-Length: 999999999999\r\n");
            default -> raw.append("Content-Length: 3\r\n");
        }
        raw.append("\r\n");
        raw.append(random.nextBoolean() ? "{x}" : "zz\r\nnot-a-chunk\r\n");
        return raw.toString();
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int statusOf(String answer) {
        String[] parts = answer.split(" ", 3);
        try {
            return parts.length > 1 ? Integer.parseInt(parts[1].trim()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int eol = body.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size;
            try {
                size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    private String randomAscii(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (0x20 + random.nextInt(0x5f)));
        }
        return text.toString();
    }

    private String randomUnicode(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x80 + random.nextInt(0x700);
                case 2 -> 0x1F600 + random.nextInt(80);
                default -> 0x20 + random.nextInt(0x5f);
            };
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        String clean = text == null ? "" : text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 300 ? clean.substring(0, 300) + "..." : clean;
    }
}
