package dev.tollgate.intake.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads request bodies for every route: strict UTF-8, refused with {@code BODY_TOO_LARGE} (413) above the configured
 * limit, checked against {@code Content-Length} before reading and counted while reading. Also drains what is left of
 * a refused request's body, so a client that is still sending reads the error instead of a connection reset.
 */
public final class BodyReader {

    private static final Logger LOG = LoggerFactory.getLogger(BodyReader.class);
    private static final long DRAIN_MIN_BYTES = 8L << 20;

    private final long maxBytes;

    public BodyReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The largest body accepted, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The body as a JSON object with validating accessors. */
    public JsonBody json(Context ctx) {
        return JsonBody.parse(text(ctx));
    }

    /** The body as strict UTF-8 text (empty when there is none). */
    public String text(Context ctx) {
        String declared = ctx.header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number");
            }
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "the request body could not be read");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body is not UTF-8");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.BODY_TOO_LARGE, "the request body is larger than " + maxBytes + " bytes");
    }

    /**
     * Reads and drops what is left of a refused request's body (bounded), so the client, still sending, reads the
     * error instead of a connection reset. When the body could not be read to its end (beyond the bound, or a read
     * failed) the answer says {@code Connection: close}, so the client does not reuse a connection the server is
     * about to close.
     */
    public void drain(Context ctx) {
        long left = Math.max(DRAIN_MIN_BYTES, 2 * maxBytes);
        boolean ended = false;
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[16384];
            int n = in.read(buffer);
            while (n >= 0 && left > 0) {
                left -= n;
                n = in.read(buffer);
            }
            ended = n < 0;
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain a refused request: {}", e.toString());
        }
        if (!ended) {
            ctx.header("Connection", "close");
        }
    }
}
