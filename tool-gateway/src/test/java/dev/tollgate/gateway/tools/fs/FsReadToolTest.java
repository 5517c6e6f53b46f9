package dev.tollgate.gateway.tools.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.ToolCall;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsReadToolTest {

    @TempDir
    Path dir;
    Path root;
    FsReadTool tool;

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("notes"));
        Files.writeString(root.resolve("notes/a.txt"), "hello");
        Files.writeString(dir.resolve("secret.txt"), "top secret");
        Files.writeString(root.resolve("big.txt"), "x".repeat(200));
        tool = new FsReadTool(root, 100);
    }

    private JsonNode read(String path) throws Exception {
        return tool.execute(new ToolCall("r", "c", CanonicalJson.parse("{\"path\":\"" + path + "\"}"),
                Instant.now().plusSeconds(5)));
    }

    @Test
    void readsAFileUnderTheRoot() throws Exception {
        assertThat(read("notes/a.txt").path("text").asText()).isEqualTo("hello");
        assertThat(read("notes/../notes/a.txt").path("path").asText()).isEqualTo("notes/a.txt");
    }

    @Test
    void refusesTraversalAbsolutePathsAndSymlinkEscapes() throws Exception {
        assertThatThrownBy(() -> read("../secret.txt")).isInstanceOf(PathEscapeException.class)
                .hasMessageContaining("escapes the root");
        assertThatThrownBy(() -> read("notes/../../secret.txt")).isInstanceOf(PathEscapeException.class);
        assertThatThrownBy(() -> read(dir.resolve("secret.txt").toString())).isInstanceOf(PathEscapeException.class)
                .hasMessageContaining("absolute");
        Files.createSymbolicLink(root.resolve("link.txt"), dir.resolve("secret.txt"));
        assertThatThrownBy(() -> read("link.txt")).isInstanceOf(PathEscapeException.class)
                .hasMessageContaining("symbolic link");
        Files.createSymbolicLink(root.resolve("outside"), dir);
        assertThatThrownBy(() -> read("outside/secret.txt")).isInstanceOf(PathEscapeException.class);
    }

    @Test
    void refusesMissingAndOversizedFiles() {
        assertThatThrownBy(() -> read("nope.txt")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> read("big.txt")).isInstanceOf(ResultTooLargeException.class)
                .hasMessageContaining("cap of 100");
    }
}
