package dev.tollgate.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.projector.fixtures.Http;
import dev.tollgate.projector.fixtures.LedgerWriter;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stops and restarts the projector (the second time with its local state wiped): state is restored from the
 * changelogs, and no event is applied twice. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ProjectorRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void restartsRestoreStateAndApplyNoEventTwice(EmbeddedKafka kafka) throws IOException {
        String appId = EmbeddedKafkaExtension.uniqueId("projector-restart");
        String key = EmbeddedKafkaExtension.uniqueId("key");
        TestGateway gateway = new TestGateway();
        Path stateDir = Files.createTempDirectory("projector-restart");
        RunLedger run = RunLedger.forTenant(EmbeddedKafkaExtension.uniqueId("tenant"));
        try (LedgerWriter writer = new LedgerWriter(kafka)) {
            writer.identity(EmbeddedKafkaExtension.uniqueId("agent"), run.tenantId(), key, true);
            run.admitted();
            run.approved("c1", "fs.read");
            run.held("c2", "http.fetch");
            run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 100,
                    gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
            writer.write(run);

            try (ProjectorApp first = writer.startProjector(appId, stateDir)) {
                awaitLastSeq(first, run, key, 4);
            }

            run.granted("c2");
            run.denied("c3", "shell", ReasonCode.TOOL_NOT_ALLOWED);
            writer.write(run.events().subList(4, 6));
            try (ProjectorApp second = writer.startProjector(appId, stateDir)) {
                JsonNode view = awaitLastSeq(second, run, key, 6);
                assertThat(view.path("counters").toString())
                        .isEqualTo("{\"approved\":2,\"denied\":1,\"held\":0,\"completed\":1,\"failed\":0}");
            }

            deleteRecursively(stateDir);
            run.completed("c2", "http.fetch", ToolCallStatus.FAILED, 7,
                    gateway.receipt(run.runId(), "c2", "http.fetch", ToolCallStatus.FAILED));
            writer.write(run.last());
            try (ProjectorApp third = writer.startProjector(appId, stateDir)) {
                JsonNode view = awaitLastSeq(third, run, key, 7);
                assertThat(view.path("counters").toString())
                        .isEqualTo("{\"approved\":2,\"denied\":1,\"held\":0,\"completed\":1,\"failed\":1}");
                assertThat(view.path("spend").path("costMicros").asLong()).isEqualTo(107);
                assertThat(view.path("headHash").asText()).isEqualTo(run.headHash());
                JsonNode events = Http.get(third.httpPort(), "/v1/runs/" + run.runId() + "/events", key).body();
                List<Long> seqs = new ArrayList<>();
                events.forEach(e -> seqs.add(e.path("seq").asLong()));
                assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
                // Tool calls are projected behind a repartition by callId, so they may trail the run view.
                JsonNode c2 = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> Http.get(third.httpPort(), "/v1/tool-calls/c2", key).body(),
                                body -> "FAILED".equals(body.path("status").asText()));
                assertThat(c2.path("decision").asText()).isEqualTo("APPROVED");
                assertThat(c2.path("status").asText()).isEqualTo("FAILED");
                assertThat(Http.get(third.httpPort(), "/v1/approvals", key).body()).isEmpty();
            }
        }
    }

    private static JsonNode awaitLastSeq(ProjectorApp app, RunLedger run, String key, long seq) {
        await().atMost(WAIT).until(app::ready);
        JsonNode[] view = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Http.Answer answer = Http.get(app.httpPort(), "/v1/runs/" + run.runId(), key);
            view[0] = answer.body();
            return answer.status() == 200 && answer.body().path("lastSeq").asLong() == seq;
        });
        return view[0];
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.createDirectories(dir);
    }
}
