package dev.tollgate.intake.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error handler for requests that never reach the routes (an unparseable request line, an illegal URI,
 * headers that are too large): the answer is still the API's JSON error shape, never an HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private static final long DRAIN_LIMIT_BYTES = 8L << 20;

    /** Every method gets a body, not only GET, POST and HEAD. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                                                 String contentType, List<Charset> charsets, int code,
                                                 String message, Throwable cause) {
        drain(request);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, body(code), callback);
        return true;
    }

    /** Reads and drops what the client is still sending (bounded), so it reads this answer, not a reset. */
    private static void drain(Request request) {
        long left = DRAIN_LIMIT_BYTES;
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] buffer = new byte[16384];
            for (int n = in.read(buffer); n >= 0 && left > 0; n = in.read(buffer)) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // Nothing to drain, or the client went away: the answer is still written, or the connection closed.
        }
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON error body for a status produced outside the routes. */
    public static String body(int status) {
        ErrorCode code = codeFor(status);
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.putObject("error").put("code", code.name()).put("message", "the request was refused (HTTP " + status
                + ")");
        return error.toString();
    }

    /** The API error code closest to an HTTP status. */
    public static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 431 -> ErrorCode.HEADERS_TOO_LARGE;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
        };
    }
}
