package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dispatch partitions move between two gateways while calls are in flight: a second gateway joins (the first gives
 * up half its partitions) and later the first leaves. Before a gateway gives up a partition it commits what it
 * finished with the offsets, in the generation that consumed them: otherwise the next owner would run the calls
 * again, or the late commit would be refused for its ended generation and the gateway would die. Every call gets
 * exactly one result, in its run's order, and no email is sent twice.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class PartitionHandoverIT {

    private static final int RUNS = 24;
    /** Waves dispatched while A is alone or sharing with B; the rest are dispatched after A left. */
    private static final int SHARED_WAVES = 25;
    private static final int WAVES = 30;
    private static final String EMAIL = "{\"to\":[\"ops@example.com\"],\"subject\":\"handover\"}";

    @TempDir
    Path dir;

    @Test
    void callsInFlightDuringARebalanceAreCommittedOnceAndTheNextOwnerRunsNothingTwice(EmbeddedKafka kafka)
            throws Exception {
        Path outboxA = dir.resolve("a/outbox.jsonl");
        Path outboxB = dir.resolve("b/outbox.jsonl");
        GatewayConfig configA = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(),
                dir.resolve("a"), Map.of("outbox", outboxA.toString()));
        GatewayConfig configB = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(),
                dir.resolve("b"), Map.of("outbox", outboxB.toString(),
                        "gateway.id", GatewayItSupport.GATEWAY_ID + "-b"));
        String prefix = EmbeddedKafkaExtension.uniqueId("handover");
        List<String> runs = IntStream.range(0, RUNS).mapToObj(i -> prefix + "-run-" + i).toList();

        try (GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            it.startReading();
            ToolGatewayApp a = ToolGatewayApp.start(configA);
            String keyA = a.keyId();
            ToolGatewayApp b;
            try {
                dispatchWaves(it, runs, 0, 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> it.resultCount(prefix) >= RUNS);

                // B joins while the next waves are being dispatched: A gives up partitions mid-stream.
                CompletableFuture<Void> dispatching = CompletableFuture.runAsync(
                        () -> dispatchWaves(it, runs, 1, SHARED_WAVES));
                b = ToolGatewayApp.start(configB);
                dispatching.get(90, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(90)).until(() -> it.resultCount(prefix) >= SHARED_WAVES * RUNS);
                assertThat(a.ready()).as("A survived giving up partitions").isTrue();
                assertThat(b.ready()).isTrue();
            } finally {
                a.close();
            }
            String keyB = b.keyId();
            try (b) {
                // A has left: the last waves are B's alone.
                dispatchWaves(it, runs, SHARED_WAVES, WAVES);
                await().atMost(Duration.ofSeconds(90)).until(() -> it.resultCount(prefix) >= WAVES * RUNS);
                assertThat(b.ready()).isTrue();
            }

            List<ToolCallResult> all = runs.stream().flatMap(run -> it.results(run).stream()).toList();
            assertThat(all).hasSize(WAVES * RUNS);
            List<String> inOrder = IntStream.range(0, WAVES).mapToObj(w -> "call-" + w).toList();
            for (String run : runs) {
                assertThat(it.results(run)).extracting(ToolCallResult::getCallId).as("results of %s", run)
                        .containsExactlyElementsOf(inOrder);
            }
            assertThat(all).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED));
            Set<String> signers = all.stream().map(r -> r.getReceipt().getKeyId()).collect(Collectors.toSet());
            assertThat(signers).as("both gateways served calls").containsExactlyInAnyOrder(keyA, keyB);
            assertThat(all.stream().filter(r -> wave(r) >= SHARED_WAVES))
                    .allSatisfy(r -> assertThat(r.getReceipt().getKeyId()).isEqualTo(keyB));
            long emails = all.stream().filter(r -> r.getTool().equals("email.send")).count();
            assertThat(emails).isPositive();
            assertThat(lines(outboxA) + lines(outboxB)).as("each email sent once").isEqualTo(emails);
        }
    }

    private static int wave(ToolCallResult result) {
        return Integer.parseInt(result.getCallId().substring("call-".length()));
    }

    /** Waves {@code from} (inclusive) to {@code to} (exclusive), each one call per run, sent one after another. */
    private static void dispatchWaves(GatewayItSupport it, List<String> runs, int from, int to) {
        for (int wave = from; wave < to; wave++) {
            dispatchWave(it, runs, wave);
        }
    }

    /** One call per run: a non-idempotent {@code email.send} in every eighth run, {@code echo} in the others. */
    private static void dispatchWave(GatewayItSupport it, List<String> runs, int wave) {
        for (int i = 0; i < runs.size(); i++) {
            boolean email = (i + wave) % 8 == 0;
            it.dispatch(runs.get(i), "call-" + wave, email ? "email.send" : "echo",
                    email ? EMAIL : "{\"wave\":" + wave + "}");
        }
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var stream = Files.lines(file)) {
            return stream.count();
        }
    }
}
