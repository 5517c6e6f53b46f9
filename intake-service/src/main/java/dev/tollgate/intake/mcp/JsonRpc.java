package dev.tollgate.intake.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON-RPC 2.0 as MCP uses it: the error codes and the shapes of results, errors and notifications. */
final class JsonRpc {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /** Tollgate refused the request; {@code data.code} is the stable code (e.g. NO_MATCHING_RULE, UNAUTHENTICATED). */
    static final int REFUSED = -32000;
    /** The session (run) is not known here or not the caller's. */
    static final int SESSION_NOT_FOUND = -32001;
    /** The request was cancelled by the client's {@code notifications/cancelled}. */
    static final int REQUEST_CANCELLED = -32800;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JsonRpc() {
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = JSON.objectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return response;
    }

    static ObjectNode error(JsonNode id, int code, String message, String tollgateCode, ObjectNode data) {
        ObjectNode response = JSON.objectNode().put("jsonrpc", "2.0");
        response.set("id", id == null ? JSON.nullNode() : id);
        ObjectNode error = response.putObject("error").put("code", code).put("message", message);
        if (tollgateCode != null || data != null) {
            ObjectNode d = data == null ? JSON.objectNode() : data.deepCopy();
            if (tollgateCode != null) {
                d.put("code", tollgateCode);
            }
            error.set("data", d);
        }
        return response;
    }

    static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode message = JSON.objectNode().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        return message;
    }
}
