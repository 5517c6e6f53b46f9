package dev.tollgate.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.ledger.model.Json;
import dev.tollgate.projector.fixtures.Http;
import dev.tollgate.projector.fixtures.LedgerWriter;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import dev.tollgate.projector.replay.LedgerReplay;
import dev.tollgate.projector.verify.LedgerReader;
import dev.tollgate.projector.verify.LedgerReport;
import dev.tollgate.projector.verify.LedgerVerifier;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replay from offset 0 rebuilds the views the API serves; verification (route and whole-ledger) finds two forged
 * records at the right seq: one appended with a valid shape but a wrong prevHash, one with a modified body.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ReplayAndVerifyIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void replayEqualsTheApiAndVerifyFindsForgedRecords(EmbeddedKafka kafka) throws Exception {
        String key = EmbeddedKafkaExtension.uniqueId("key");
        String tenant = EmbeddedKafkaExtension.uniqueId("tenant");
        TestGateway gateway = new TestGateway();
        RunLedger appended = RunLedger.forTenant(tenant);
        RunLedger modified = RunLedger.forTenant(tenant);
        RunLedger intact = RunLedger.forTenant(tenant);
        for (RunLedger run : List.of(appended, modified, intact)) {
            run.admitted();
            run.approved("c1", "fs.read");
            run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 40,
                    gateway.receipt(run.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
            run.usage(10, 20, 5, 30);
            run.denied("c2", "shell", ReasonCode.TOOL_NOT_ALLOWED);
        }
        try (LedgerWriter writer = new LedgerWriter(kafka);
             ProjectorApp app = writer.startProjector(EmbeddedKafkaExtension.uniqueId("projector-replay"),
                     Files.createTempDirectory("projector-replay"))) {
            writer.identity(EmbeddedKafkaExtension.uniqueId("agent"), tenant, key, true);
            writer.gatewayKey(gateway.gatewayKey());
            writer.write(appended);
            writer.write(intact);
            writer.write(modified.events().subList(0, 3));
            // Seq 4 of `modified` replaced by a body that no longer matches its hash header (the model changed).
            LedgerEvent original = modified.events().get(3);
            LedgerEvent bodyChanged = LedgerEvent.newBuilder(original)
                    .setPayload(UsageRecorded.newBuilder((UsageRecorded) original.getPayload()).setModel("other")
                            .build()).build();
            writer.writeRaw(modified.runId(), writer.bytes(bodyChanged), LedgerHash.of(original));
            writer.write(modified.events().get(4));
            LedgerEvent forged = LedgerEvent.newBuilder(appended.last()).setSeq(6).setEventId("forged")
                    .setPrevHash("f".repeat(64)).build();
            writer.write(forged);

            await().atMost(WAIT).until(app::ready);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                    Http.get(app.httpPort(), "/v1/runs/" + appended.runId(), key).body().path("lastSeq").asLong() == 6
                            && Http.get(app.httpPort(), "/v1/runs/" + modified.runId(), key).body()
                            .path("lastSeq").asLong() == 5
                            && Http.get(app.httpPort(), "/v1/runs/" + intact.runId(), key).body()
                            .path("lastSeq").asLong() == 5);

            // Replay from offset 0 with the projection function: the same views the API serves.
            LedgerReplay replay = new LedgerReplay(writer.serdes().value(Topics.LEDGER).deserializer(), null);
            try (LedgerReader reader = new LedgerReader(kafka.bootstrapServers(), WAIT)) {
                Map<TopicPartition, Long> from = new HashMap<>();
                reader.ledgerPartitions().forEach(tp -> from.put(tp, 0L));
                reader.read(from, null, replay::accept);
            }
            for (RunLedger run : List.of(appended, modified, intact)) {
                JsonNode api = Http.get(app.httpPort(), "/v1/runs/" + run.runId(), key).body();
                // as text: what `tollgate ledger replay` prints against what the route answers
                assertThat(Json.write(replay.views().get(run.runId()))).isEqualTo(api.toString());
            }

            // The route recomputes each run's chain from the raw bytes.
            JsonNode appendedReport = Http.get(app.httpPort(), "/v1/runs/" + appended.runId() + "/verify", key).body();
            assertThat(appendedReport.path("valid").asBoolean()).isFalse();
            assertThat(appendedReport.path("firstBrokenSeq").asLong()).isEqualTo(6);
            assertThat(appendedReport.path("reason").asText()).startsWith("hash mismatch");
            JsonNode modifiedReport = Http.get(app.httpPort(), "/v1/runs/" + modified.runId() + "/verify", key).body();
            assertThat(modifiedReport.path("firstBrokenSeq").asLong()).isEqualTo(4);
            assertThat(modifiedReport.path("reason").asText()).startsWith("modified body");
            JsonNode intactReport = Http.get(app.httpPort(), "/v1/runs/" + intact.runId() + "/verify", key).body();
            assertThat(intactReport.toString()).isEqualTo("{\"valid\":true,\"events\":5,\"headHash\":\""
                    + intact.headHash() + "\"}");

            // The whole-ledger verification (what `tollgate ledger verify` runs) names both, and only those of ours.
            try (LedgerReader reader = new LedgerReader(kafka.bootstrapServers(), WAIT)) {
                Map<String, dev.tollgate.events.GatewayKey> keys =
                        reader.gatewayKeys(writer.serdes().value(Topics.GATEWAY_KEYS).deserializer());
                LedgerVerifier verifier = new LedgerVerifier(writer.serdes().value(Topics.LEDGER).deserializer(),
                        id -> Optional.ofNullable(keys.get(id)));
                LedgerVerifier.AllRuns all = verifier.allRuns();
                reader.readAll(all::accept);
                LedgerReport report = all.report();
                assertThat(report.valid()).isFalse();
                assertThat(report.broken()).filteredOn(b -> List.of(appended.runId(), modified.runId(),
                        intact.runId()).contains(b.runId())).extracting(LedgerReport.Broken::runId,
                        LedgerReport.Broken::seq).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(appended.runId(), 6L),
                        org.assertj.core.groups.Tuple.tuple(modified.runId(), 4L));
            }
        }
    }
}
