package dev.tollgate.gateway.tools.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * {@code fs.read {path}}: reads one file under {@code fs.root}. Traversal and symbolic-link escapes are refused
 * ({@link SafeRoot}); files larger than the size cap are refused. UTF-8 text comes back as {@code text}, anything
 * else as {@code base64}.
 */
public final class FsReadTool implements Tool {

    private static final String SCHEMA = """
            {"type": "object", "required": ["path"], "properties": {"path": {"type": "string", "minLength": 1}}}""";

    private final SafeRoot root;
    private final long maxBytes;

    public FsReadTool(Path root, long maxBytes) {
        this.root = new SafeRoot(root);
        this.maxBytes = maxBytes;
    }

    @Override
    public String name() {
        return "fs.read";
    }

    @Override
    public String argsSchemaJson() {
        return SCHEMA;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        String path = call.args().path("path").asText();
        Path file = root.resolveFile(path);
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ResultTooLargeException("file '" + path + "' has " + size + " bytes, more than the cap of "
                    + maxBytes);
        }
        byte[] bytes = Files.readAllBytes(file);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("path", root.relativize(file));
        out.put("bytes", bytes.length);
        try {
            out.put("text", StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            out.put("base64", Base64.getEncoder().encodeToString(bytes));
        }
        return out;
    }
}
