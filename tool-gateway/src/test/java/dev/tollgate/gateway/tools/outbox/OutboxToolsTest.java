package dev.tollgate.gateway.tools.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.tools.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxToolsTest {

    @TempDir
    Path dir;

    @Test
    void eachCallAppendsExactlyOneLine() throws Exception {
        Outbox outbox = new Outbox(dir.resolve("out/outbox.jsonl"));
        OutboxTool email = OutboxTool.emailSend(outbox);
        OutboxTool tickets = OutboxTool.ticketsUpdate(outbox);

        email.execute(new ToolCall("run-1", "c1", CanonicalJson.parse(
                "{\"to\":[\"a@example.com\"],\"subject\":\"hi\"}"), Instant.now().plusSeconds(5)));
        tickets.execute(new ToolCall("run-1", "c2", CanonicalJson.parse(
                "{\"ticket_ids\":[1,2],\"fields\":{\"priority\":\"high\"}}"), Instant.now().plusSeconds(5)));

        List<String> lines = Files.readAllLines(outbox.file());
        assertThat(lines).hasSize(2);
        assertThat(CanonicalJson.parse(lines.get(0)).path("tool").asText()).isEqualTo("email.send");
        assertThat(CanonicalJson.parse(lines.get(1)).path("payload").path("ticket_ids").size()).isEqualTo(2);
        assertThat(email.idempotent()).isFalse();
        assertThat(tickets.idempotent()).isFalse();
    }
}
