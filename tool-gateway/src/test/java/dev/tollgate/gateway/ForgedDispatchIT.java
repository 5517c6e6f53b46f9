package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forged-dispatch attack on the real broker: records written straight to {@code tollgate.dispatch.v1}
 * without the policy-processor's proof (unsigned, signed with another key, altered after signing) run nothing,
 * reach the DLQ with {@code DISPATCH_UNAUTHENTICATED} and are counted; a dispatch the processor signed still runs.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ForgedDispatchIT {

    private static final String MAIL = "{\"to\":[\"x@evil.test\"],\"subject\":\"s\",\"body\":\"b\"}";
    private static final String MAIL_SCHEMA = "{\"type\":\"object\"}";

    @Test
    void dispatchesWithoutTheProcessorsProofRunNothing(EmbeddedKafka kafka, @TempDir Path dir) {
        GatewayConfig config = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), dir,
                Map.of());
        String runId = EmbeddedKafkaExtension.uniqueId("forged-run");
        try (ToolGatewayApp gateway = ToolGatewayApp.start(config);
             GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            it.startReading();
            it.send(GatewayItSupport.unsigned(runId, "mail-1", "email.send", MAIL, MAIL_SCHEMA));
            it.send(Proofs.signHmac(GatewayItSupport.unsigned(runId, "mail-2", "email.send", MAIL, MAIL_SCHEMA),
                    KeyRing.random(), "policy-processor"));
            ToolCallDispatch altered = Proofs.signHmac(GatewayItSupport.unsigned(runId, "mail-3", "echo", "{}",
                    MAIL_SCHEMA), GatewayItSupport.DISPATCH_KEYS, "policy-processor");
            altered.setTool("email.send");
            altered.setArgsJson(MAIL);
            it.send(altered);
            it.dispatch(runId, "echo-1", "echo", "{\"msg\":\"hi\"}");

            await().atMost(Duration.ofSeconds(60)).until(() -> it.results(runId).size() >= 1
                    && refused(it, runId).size() >= 3);
            assertThat(it.results(runId)).singleElement().satisfies(r -> {
                assertThat(r.getCallId()).isEqualTo("echo-1");
                assertThat(r.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
            });
            assertThat(refused(it, runId)).hasSize(3).allSatisfy(dead -> {
                assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON_CODE))
                        .contains("DISPATCH_UNAUTHENTICATED");
                assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).get().asString()
                        .contains("no valid proof");
            });
            assertThat(gateway.unauthenticatedDispatches()).isEqualTo(3);
            Path outbox = config.outbox();
            assertThat(!Files.exists(outbox) || readOutbox(outbox).isEmpty()).as("nothing was sent").isTrue();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> refused(GatewayItSupport it, String runId) {
        return it.deadLetters.stream().filter(r -> runId.equals(r.key())).toList();
    }

    private static List<String> readOutbox(Path outbox) {
        try {
            return Files.readAllLines(outbox).stream().filter(l -> !l.isBlank()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
