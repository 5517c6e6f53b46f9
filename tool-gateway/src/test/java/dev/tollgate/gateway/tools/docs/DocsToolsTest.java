package dev.tollgate.gateway.tools.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.fs.PathEscapeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocsToolsTest {

    @TempDir
    Path root;

    @BeforeEach
    void docs() throws Exception {
        Files.createDirectories(root.resolve("guides"));
        Files.writeString(root.resolve("guides/refunds.md"), "# Refunds\nA refund is issued within 5 days. Refund"
                + " requests go to billing.");
        Files.writeString(root.resolve("guides/shipping.md"), "# Shipping\nWe ship worldwide. No refund on shipping.");
        Files.writeString(root.resolve("README.md"), "Support handbook.");
    }

    private static ToolCall call(String args) {
        return new ToolCall("r", "c", CanonicalJson.parse(args), Instant.now().plusSeconds(5));
    }

    @Test
    void searchRanksFilesByTermCountAndRequiresEveryTerm() throws Exception {
        JsonNode out = new SearchDocsTool(root, 10_000).execute(call("{\"q\":\"refund\"}"));

        assertThat(out.path("total").asInt()).isEqualTo(2);
        assertThat(out.path("hits").get(0).path("path").asText()).isEqualTo("guides/refunds.md");
        assertThat(out.path("hits").get(0).path("snippet").asText()).containsIgnoringCase("refund");

        JsonNode both = new SearchDocsTool(root, 10_000).execute(call("{\"q\":\"refund worldwide\"}"));
        assertThat(both.path("total").asInt()).isEqualTo(1);
        assertThat(both.path("hits").get(0).path("path").asText()).isEqualTo("guides/shipping.md");
    }

    @Test
    void readRepoReadsFilesListsDirectoriesAndRefusesEscapes() throws Exception {
        ReadRepoTool tool = new ReadRepoTool(root, 10_000);

        assertThat(tool.execute(call("{\"path\":\"README.md\"}")).path("content").asText())
                .isEqualTo("Support handbook.");
        assertThat(tool.execute(call("{\"path\":\".\"}")).path("entries").toString())
                .isEqualTo("[\"README.md\",\"guides/\"]");
        assertThatThrownBy(() -> tool.execute(call("{\"path\":\"../../etc/passwd\"}")))
                .isInstanceOf(PathEscapeException.class);
    }
}
