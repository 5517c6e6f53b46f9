package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.gateway.tools.ToolRegistry;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(EmbeddedKafkaExtension.class)
class DispatchConcurrencyIT {

    private static final int RUNS = 20;
    private static final int CALLS_PER_RUN = 25;

    @TempDir
    Path dir;

    @Test
    void aSlowRunDoesNotHoldUpTheOthersAndEveryRunKeepsItsOrder(EmbeddedKafka kafka) {
        GatewayConfig config = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), dir,
                Map.of("limits.concurrency", "8", "limits.maxInFlight", "64", "timeouts.slow", "PT120S"));
        LatchTool slow = new LatchTool();
        ToolRegistry tools = ToolRegistry.builtIns(config).toBuilder().add(slow).build();
        String prefix = EmbeddedKafkaExtension.uniqueId("hol");
        List<String> runs = IntStream.range(0, RUNS).mapToObj(i -> prefix + "-run-" + i).toList();
        String slowRun = runs.get(0);

        try (GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            // All 500 wait on the topic before the gateway starts, so it meets them at once (back-pressure).
            for (int call = 0; call < CALLS_PER_RUN; call++) {
                for (String run : runs) {
                    boolean isSlow = run.equals(slowRun) && call == 0;
                    it.dispatch(run, "call-" + call, isSlow ? "slow" : "echo", "{\"n\":" + call + "}");
                }
            }
            it.startReading();
            ToolGatewayApp gateway = ToolGatewayApp.start(config, tools);
            try {
                runAndCheck(gateway, it, slow, prefix, runs, slowRun);
            } finally {
                slow.open.countDown();
                gateway.close();
            }
        }
    }

    private static void runAndCheck(ToolGatewayApp gateway, GatewayItSupport it, LatchTool slow, String prefix,
                                    List<String> runs, String slowRun) {
        // Every other run finishes while the slow run's first call is still blocked.
        int others = (RUNS - 1) * CALLS_PER_RUN;
        await().atMost(Duration.ofSeconds(90)).until(() -> it.resultCount(prefix) >= others);
        assertThat(slow.open.getCount()).isEqualTo(1);
        assertThat(slow.entered).hasValue(1);
        assertThat(it.results(slowRun)).as("the slow run is held up by its own first call only").isEmpty();

        slow.open.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> it.results(slowRun).size() >= CALLS_PER_RUN);

        for (String run : runs) {
            List<ToolCallResult> results = it.results(run);
            List<String> expected = new ArrayList<>();
            IntStream.range(0, CALLS_PER_RUN).forEach(i -> expected.add("call-" + i));
            assertThat(results).extracting(ToolCallResult::getCallId).as("results of %s in order", run)
                    .containsExactlyElementsOf(expected);
            assertThat(results).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED));
        }
        assertThat(it.resultCount(prefix)).isEqualTo(RUNS * CALLS_PER_RUN);
        assertThat(gateway.ready()).isTrue();
    }

    @Test
    void pausesConsumptionAtTheInFlightBoundAndResumesWhenCallsFinish(EmbeddedKafka kafka) throws Exception {
        GatewayConfig config = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), dir,
                Map.of("limits.concurrency", "4", "limits.maxInFlight", "40", "timeouts.slow", "PT120S"));
        LatchTool slow = new LatchTool();
        ToolRegistry tools = ToolRegistry.builtIns(config).toBuilder().add(slow).build();
        String prefix = EmbeddedKafkaExtension.uniqueId("bp");
        int calls = 120;

        try (GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl());
             ToolGatewayApp gateway = ToolGatewayApp.start(config, tools);
             AutoCloseable release = slow.open::countDown) {
            it.startReading();
            for (int i = 0; i < calls; i++) {
                it.dispatch(prefix + "-run-" + i, "call-0", "slow", "{}");
            }
            // Four calls block the four workers; the consumer takes calls up to the bound and then stops.
            await().atMost(Duration.ofSeconds(60)).until(() -> gateway.backPressurePauses() > 0);
            assertThat(gateway.inFlight()).isBetween(40, 40 + DispatchLoop.resumeMargin(config));
            assertThat(slow.entered).hasValue(4);

            slow.open.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> it.resultCount(prefix) >= calls);
            assertThat(it.resultCount(prefix)).isEqualTo(calls);
            assertThat(gateway.inFlight()).isZero();
        }
    }
}
