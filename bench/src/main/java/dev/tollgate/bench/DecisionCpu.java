package dev.tollgate.bench;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.policy.PolicyTopology;
import dev.tollgate.policy.engine.DefaultBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The {@code decide} section: CPU per decision of the policy-processor's own topology ({@code PolicyTopology}: the
 * deciders, RocksDB stores, serdes, ledger chaining, dispatches and limit facts), driven by Kafka Streams'
 * {@link TopologyTestDriver} in this thread, without a broker. What it leaves out (producing, committing
 * transactions) is what the EOS baseline measures; what it keeps is what the processor adds. It counts this thread's
 * CPU time, which the neighbours' load hardly moves, so it is the figure a processor change is judged by on a shared
 * machine.
 *
 * <p>Approved {@code echo} calls on active runs of the reference bundle (its call cap and limits lifted), the same
 * number of calls at 1, 20 and 200 calls per run: if a decision's cost grew with the run's length, the longer runs
 * would cost more per call. With {@code -Dtollgate.bench.decideRunsInFlight=N}, also the same number of calls, one
 * per run, spread over N runs admitted first: if a decision's cost grew with the number of runs in the stores, it
 * would cost more than at 1 call per run.
 */
final class DecisionCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String AGENT = "bench-agent";
    private static final String TENANT = "bench";

    private DecisionCpu() {
    }

    /**
     * The calls per run measured, in order: 1, 20 and 200, or {@code -Dtollgate.bench.decideCallsPerRun=200,20,1}.
     * The stores grow from one measurement to the next, so measuring in the reverse order tells a cost that grows
     * with the run's length from one that grows with the stores.
     */
    static List<Integer> callsPerRun() {
        return callsPerRun(System.getProperty("tollgate.bench.decideCallsPerRun", "1,20,200"));
    }

    static List<Integer> callsPerRun(String value) {
        try {
            List<Integer> perRun = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf)
                    .toList();
            if (perRun.isEmpty() || perRun.stream().anyMatch(n -> n < 1)) {
                throw new NumberFormatException("not positive");
            }
            return perRun;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tollgate.bench.decideCallsPerRun takes positive integers separated "
                    + "by commas, not '" + value + "'", e);
        }
    }

    static Map<String, Object> measure(int calls, List<Integer> callsPerRun, PrintWriter out) throws IOException {
        Path state = Files.createTempDirectory("tollgate-bench-decide");
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        // Commands are signed as intake signs them, so the measured CPU includes checking their proofs.
        IntakeSigner signer = IntakeSigner.atFile(state.resolve("command-keys"));
        PolicyProcessorConfig config = PolicyProcessorConfig.from(Map.of("state.dir", state.toString(),
                "bootstrap.servers", "unused:9092", "application.id", "tollgate-bench-decide",
                "command.keys.file", signer.keyFile().toString()));
        Instant start = Instant.now();
        Map<String, Object> report = new LinkedHashMap<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(PolicyTopology.build(config, serdes),
                config.streamsProperties(), start)) {
            String yaml = DefaultBundle.yaml().replace("maxToolCalls: 20", "maxToolCalls: 1000000")
                    .replace("toolCallsPerMinute: 600", "toolCallsPerMinute: 1000000000")
                    .replace("runsPerDay: 1000", "runsPerDay: 1000000000");
            driver.createInputTopic(Topics.POLICIES.name(), new StringSerializer(),
                    serdes.value(Topics.POLICIES).serializer()).pipeInput("default", PolicyBundle.newBuilder()
                    .setName("default").setVersion("bench").setSha256(Sha256.hex(yaml)).setYaml(yaml)
                    .setPublishedAt(start).build());
            driver.createInputTopic(Topics.IDENTITIES.name(), new StringSerializer(),
                    serdes.value(Topics.IDENTITIES).serializer()).pipeInput(AGENT, Identity.newBuilder()
                    .setPrincipalId(AGENT).setName(AGENT).setKind(PrincipalKind.AGENT).setTenantId(TENANT)
                    .setRoles(List.of()).setApiKeySha256("0".repeat(64)).setEnabled(true).setCreatedAt(start)
                    .setUpdatedAt(start).build());
            TestInputTopic<String, Command> commands = driver.createInputTopic(Topics.COMMANDS.name(),
                    new StringSerializer(), serdes.value(Topics.COMMANDS).serializer());
            TestOutputTopic<String, byte[]> ledger = driver.createOutputTopic(Topics.LEDGER.name(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> dispatch = driver.createOutputTopic(Topics.DISPATCH.name(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            Workload workload = new Workload(commands, start, signer);
            // Warm-up (JIT, CEL, RocksDB), not measured.
            workload.run("warm", calls, 20, ledger, dispatch);
            for (int perRun : callsPerRun) {
                double micros = workload.run("m" + perRun, calls, perRun, ledger, dispatch);
                report.put("callsPerRun" + perRun, Math.round(micros * 10) / 10.0);
                out.println(String.format(Locale.ROOT, "  decide: %,d calls at %d per run: %.1f us CPU per call",
                        calls, perRun, micros));
                out.flush();
            }
            int inFlight = Integer.getInteger("tollgate.bench.decideRunsInFlight", 0);
            if (inFlight > 0) {
                // Many runs in the stores at once: the same calls (one per run) among inFlight admitted runs.
                out.println(String.format(Locale.ROOT, "  decide: admitting %,d runs ...", inFlight));
                out.flush();
                double micros = workload.runAmong("f", calls, inFlight, ledger, dispatch);
                report.put("runsInFlight", inFlight);
                report.put("oneCallPerRunAmongRunsInFlight", Math.round(micros * 10) / 10.0);
                out.println(String.format(Locale.ROOT, "  decide: %,d calls, one per run, among %,d runs in flight: "
                        + "%.1f us CPU per call", calls, inFlight, micros));
                out.flush();
            }
            report.put("calls", calls);
            LedgerEvent check = serdes.value(Topics.LEDGER).deserializer().deserialize(Topics.LEDGER.name(),
                    workload.last);
            report.put("lastEvent", check.getPayload().getClass().getSimpleName());
        } finally {
            try (var paths = Files.walk(state)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return report;
    }

    private static final class Workload {
        private final TestInputTopic<String, Command> commands;
        private final IntakeSigner signer;
        private Instant clock;
        private long seq;
        private byte[] last;

        Workload(TestInputTopic<String, Command> commands, Instant start, IntakeSigner signer) {
            this.commands = commands;
            this.signer = signer;
            this.clock = start;
        }

        /** Admits calls / perRun runs, then sends their calls round-robin; returns CPU microseconds per call. */
        double run(String tag, int calls, int perRun, TestOutputTopic<String, byte[]> ledger,
                   TestOutputTopic<String, byte[]> dispatch) {
            int runs = Math.max(1, calls / perRun);
            for (int r = 0; r < runs; r++) {
                send(tag + "-run-" + r, RequestRun.newBuilder().setWorkflow("support-triage")
                        .setEnvironment("staging").setClassification("Internal").setInputJson("{\"ticket\":7}")
                        .build());
            }
            drain(ledger, dispatch);
            // Built and signed before the clock starts: signing is intake's cost, not the processor's.
            List<Command> toolCalls = new ArrayList<>(calls);
            for (int i = 0; i < calls; i++) {
                int r = i % runs;
                toolCalls.add(command(tag + "-run-" + r, RequestToolCall.newBuilder().setCallId(tag + "-call-" + i)
                        .setTool("echo").setArgsJson("{\"msg\":\"bench " + i + "\"}").build()));
            }
            long cpu = THREADS.getCurrentThreadCpuTime();
            for (Command call : toolCalls) {
                commands.pipeInput(call.getRunId(), call, call.getIssuedAt());
            }
            long used = THREADS.getCurrentThreadCpuTime() - cpu;
            drain(ledger, dispatch);
            return used / 1000.0 / calls;
        }

        /** Admits {@code runs} runs, then sends {@code calls} calls, one per run; CPU microseconds per call. */
        double runAmong(String tag, int calls, int runs, TestOutputTopic<String, byte[]> ledger,
                        TestOutputTopic<String, byte[]> dispatch) {
            for (int r = 0; r < runs; r++) {
                send(tag + "-run-" + r, RequestRun.newBuilder().setWorkflow("support-triage")
                        .setEnvironment("staging").setClassification("Internal").setInputJson("{\"ticket\":7}")
                        .build());
                if (r % 1000 == 999) {
                    drain(ledger, dispatch);
                }
            }
            drain(ledger, dispatch);
            List<Command> toolCalls = new ArrayList<>(calls);
            int stride = Math.max(1, runs / calls);
            for (int i = 0; i < calls; i++) {
                toolCalls.add(command(tag + "-run-" + (i * stride % runs), RequestToolCall.newBuilder()
                        .setCallId(tag + "-call-" + i).setTool("echo").setArgsJson("{\"msg\":\"bench " + i + "\"}")
                        .build()));
            }
            long cpu = THREADS.getCurrentThreadCpuTime();
            for (Command call : toolCalls) {
                commands.pipeInput(call.getRunId(), call, call.getIssuedAt());
            }
            long used = THREADS.getCurrentThreadCpuTime() - cpu;
            drain(ledger, dispatch);
            return used / 1000.0 / calls;
        }

        private void send(String runId, Object payload) {
            Command command = command(runId, payload);
            commands.pipeInput(runId, command, command.getIssuedAt());
        }

        private Command command(String runId, Object payload) {
            clock = clock.plusMillis(1);
            return signer.sign(Command.newBuilder().setCommandId(runId + "/" + seq++).setRunId(runId)
                    .setTenantId(TENANT).setPrincipalId(AGENT).setIssuedAt(clock).setPayload(payload).build());
        }

        private void drain(TestOutputTopic<String, byte[]> ledger, TestOutputTopic<String, byte[]> dispatch) {
            while (!ledger.isEmpty()) {
                last = ledger.readValue();
            }
            while (!dispatch.isEmpty()) {
                dispatch.readValue();
            }
        }
    }
}
