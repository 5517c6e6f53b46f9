package dev.tollgate.intake.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A refused MCP message: the HTTP status it answers with and the JSON-RPC error it carries ({@code code}, a message
 * that starts with the stable Tollgate code where there is one, and {@code data.code}).
 */
final class McpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int rpcCode;
    private final String tollgateCode;
    private final transient JsonNode id;
    private final transient ObjectNode data;

    McpError(int httpStatus, int rpcCode, String tollgateCode, String message, JsonNode id, ObjectNode data) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.rpcCode = rpcCode;
        this.tollgateCode = tollgateCode;
        this.id = id;
        this.data = data;
    }

    static McpError invalidRequest(int httpStatus, String message, JsonNode id) {
        return new McpError(httpStatus, JsonRpc.INVALID_REQUEST, null, message, id, null);
    }

    static McpError invalidParams(String message, JsonNode id) {
        return new McpError(200, JsonRpc.INVALID_PARAMS, null, message, id, null);
    }

    int httpStatus() {
        return httpStatus;
    }

    /** The JSON-RPC error response, answering {@code id} (null when the request's id is not known). */
    ObjectNode toResponse() {
        return JsonRpc.error(id, rpcCode, getMessage(), tollgateCode, data);
    }

    /** The same error answering another id (inside a batch). */
    McpError withId(JsonNode otherId) {
        return new McpError(httpStatus, rpcCode, tollgateCode, getMessage(), otherId, data);
    }
}
