package dev.tollgate.intake.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** How every route answers: a JSON object with a status. */
public final class Answers {

    /** Builds answer bodies. */
    public static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Answers() {
    }

    /** Sets the status and writes the object as the JSON body. */
    public static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}
