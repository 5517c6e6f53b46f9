package dev.tollgate.events.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI 3.1 document of Tollgate's HTTP API (intake and the ledger-projector's query API), served by both at
 * {@code GET /openapi.json}. Each operation says which services serve it ({@code x-tollgate-services}: {@code intake},
 * {@code query}); a test in each service checks that every route it registers is documented and every documented
 * route exists.
 */
public final class OpenApiDocument {

    /** Classpath location of the document. */
    public static final String RESOURCE = "/dev/tollgate/events/openapi.json";
    private static final String JSON = load();

    private OpenApiDocument() {
    }

    /** The document, as JSON text. */
    public static String json() {
        return JSON;
    }

    private static String load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
