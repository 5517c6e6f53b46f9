package dev.tollgate.gateway.tools.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.hash.CanonicalJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.UUID;

/**
 * An append-only JSON-lines file: the real side effect of {@code tickets.update} and {@code email.send}. Each
 * append is one line, written and forced to disk before the tool returns, so the number of lines is the number of
 * side effects that happened. The file is never rewritten.
 */
public final class Outbox {

    private final Path file;

    public Outbox(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    /** Appends one entry and returns its id. */
    public synchronized String append(String tool, String runId, String callId, JsonNode payload) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("id", id);
        line.put("at", Instant.now().toString());
        line.put("tool", tool);
        line.put("runId", runId);
        line.put("callId", callId);
        line.set("payload", payload);
        byte[] bytes = (CanonicalJson.write(line) + "\n").getBytes(StandardCharsets.UTF_8);
        Path parent = file.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        return id;
    }
}
