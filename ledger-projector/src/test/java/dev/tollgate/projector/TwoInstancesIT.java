package dev.tollgate.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.projector.fixtures.Http;
import dev.tollgate.projector.fixtures.LedgerWriter;
import dev.tollgate.ledger.model.testing.RunLedger;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two projector instances of one application answer for each other's keys (application.server forwarding). */
@ExtendWith(EmbeddedKafkaExtension.class)
class TwoInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void eachInstanceAnswersForTheOthersKeys(EmbeddedKafka kafka) throws Exception {
        String appId = EmbeddedKafkaExtension.uniqueId("projector-two");
        String key = EmbeddedKafkaExtension.uniqueId("key");
        String tenant = EmbeddedKafkaExtension.uniqueId("tenant");
        List<RunLedger> runs = new ArrayList<>();
        try (LedgerWriter writer = new LedgerWriter(kafka)) {
            writer.identity(EmbeddedKafkaExtension.uniqueId("agent"), tenant, key, true);
            for (int i = 0; i < 12; i++) {
                RunLedger run = RunLedger.forTenant(tenant);
                run.admitted();
                run.approved("call-" + run.runId(), "fs.read");
                writer.write(run);
                runs.add(run);
            }
            try (ProjectorApp a = writer.startProjector(appId, Files.createTempDirectory("projector-a"));
                 ProjectorApp b = writer.startProjector(appId, Files.createTempDirectory("projector-b"))) {
                Set<String> owners = new HashSet<>();
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    owners.clear();
                    if (!a.ready() || !b.ready()) {
                        return false;
                    }
                    for (RunLedger run : runs) {
                        Http.Answer answer = Http.get(a.httpPort(), "/v1/runs/" + run.runId(), key);
                        if (answer.status() != 200 || answer.body().path("lastSeq").asLong() != 2) {
                            return false;
                        }
                        owners.add(answer.instance());
                    }
                    return owners.size() == 2;
                });
                assertThat(owners).containsExactlyInAnyOrder(a.applicationServer(), b.applicationServer());

                for (RunLedger run : runs) {
                    Http.Answer viaA = Http.get(a.httpPort(), "/v1/runs/" + run.runId(), key);
                    Http.Answer viaB = Http.get(b.httpPort(), "/v1/runs/" + run.runId(), key);
                    assertThat(viaA.status()).isEqualTo(200);
                    assertThat(viaB.body()).isEqualTo(viaA.body());
                    assertThat(viaB.instance()).isEqualTo(viaA.instance());
                    assertThat(Http.get(b.httpPort(), "/v1/runs/" + run.runId() + "/events", key).body()).hasSize(2);
                    JsonNode call = Http.get(a.httpPort(), "/v1/tool-calls/call-" + run.runId(), key).body();
                    assertThat(call.path("runId").asText()).isEqualTo(run.runId());
                }
                JsonNode page = Http.get(b.httpPort(), "/v1/runs?limit=500", key).body();
                List<String> listed = new ArrayList<>();
                page.path("runs").forEach(r -> listed.add(r.path("runId").asText()));
                assertThat(listed).containsExactlyInAnyOrderElementsOf(runs.stream().map(RunLedger::runId).toList());
            }
        }
    }
}
