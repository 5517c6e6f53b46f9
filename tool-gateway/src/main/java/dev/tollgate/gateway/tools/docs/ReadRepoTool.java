package dev.tollgate.gateway.tools.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.fs.SafeRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * {@code read_repo {path}}: reads a file of the repository folder ({@code docs.root}), or lists a directory
 * ({@code "."} is the root). The same escape rules as {@code fs.read} apply; files above the cap are refused.
 */
public final class ReadRepoTool implements Tool {

    private static final String SCHEMA = """
            {"type": "object", "required": ["path"], "properties": {"path": {"type": "string", "minLength": 1}}}""";

    private final SafeRoot root;
    private final long maxBytes;

    public ReadRepoTool(Path root, long maxBytes) {
        this.root = new SafeRoot(root);
        this.maxBytes = maxBytes;
    }

    @Override
    public String name() {
        return "read_repo";
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
        Path real = root.resolve(path);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("path", root.relativize(real));
        if (Files.isDirectory(real)) {
            ArrayNode entries = out.putArray("entries");
            try (Stream<Path> list = Files.list(real)) {
                list.sorted().forEach(p -> entries.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
            }
            return out;
        }
        long size = Files.size(real);
        if (size > maxBytes) {
            throw new ResultTooLargeException("file '" + path + "' has " + size + " bytes, more than the cap of "
                    + maxBytes);
        }
        out.put("content", new String(Files.readAllBytes(real), StandardCharsets.UTF_8));
        return out;
    }
}
