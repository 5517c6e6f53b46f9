package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.Command;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The {@code http} section: a governed tool call as an agent feels it. Starts {@code tollgate dev} as a child
 * process (broker, registry, intake, policy-processor, tool-gateway, projector), creates agents (one tenant each, so
 * the reference bundle's per-agent and per-tenant limits are not what is measured) and runs over intake's HTTP API,
 * then sends {@code POST /v1/runs/{id}/tool-calls?waitMs=5000} at a fixed rate: four approved {@code echo} calls to
 * one denied {@code email.send} (rule {@code external-email}). Latency counts from each call's intended send time
 * (no coordinated omission) to its HTTP answer.
 *
 * <p>The approved call is broken into hops from what can be observed: a {@code read_committed} consumer of this JVM
 * on {@code tollgate.commands.v1}, {@code tollgate.ledger.v1}, {@code tollgate.dispatch.v1} and
 * {@code tollgate.tool-results.v1} notes when each record of the call becomes visible, and the result's own
 * {@code startedAt}/{@code finishedAt} (the gateway's clock, the same machine's) say when the gateway ran it:
 * command committed, decided, dispatch seen by the gateway (execution started), executed, result committed, answered
 * (intake answers on the committed result); and, off that path, the completion on the ledger after the result. Each
 * visible-time includes the observing consumer's own fetch delay, the same for all; intake's reader may see a
 * record before the observer does, so the last hop can read 0.
 */
final class HttpBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CALLS_PER_RUN = 5;
    /**
     * The approved call's path to its answer, in order. Intake answers a waiting call as soon as its committed tool
     * result is visible (the result is a committed fact), so the ledger's ToolCallCompleted is not on that path:
     * {@link #OFF_PATH} measures it from the result, beside the path.
     */
    private static final String[] HOPS = {"commandCommitted", "decided", "dispatchSeenByGateway", "executed",
        "resultCommitted", "answered"};
    private static final String OFF_PATH = "completionOnLedgerAfterResult";

    private final PrintWriter out;
    /**
     * Replaced before each rate: intake's Jetty closes a connection idle for 30 s, and a pooled one reused after the
     * pause between two rates failed its first POST ("header parser received no bytes"), which the bench does not
     * retry (a POST is not idempotent).
     */
    private volatile HttpClient http = newClient();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();
    private String intake;
    private volatile boolean observing = true;
    private final Map<String, Integer> observed = new ConcurrentHashMap<>();
    private volatile String observeError = "";
    private final java.util.concurrent.CountDownLatch observerReady = new java.util.concurrent.CountDownLatch(1);
    private volatile String sampleAnswer = "";

    /** What is known of one call; times in epoch microseconds, 0 while unknown. */
    private static final class Call {
        final boolean approved;
        final long intended;
        volatile long commandSeen;
        volatile long decidedSeen;
        volatile long dispatchSeen;
        volatile long started;
        volatile long finished;
        volatile long resultSeen;
        volatile long completedSeen;
        volatile long answered;
        volatile String outcome = "none";
        /** The first reason code of a ToolCallDenied seen on the ledger for this call, else empty. */
        volatile String denialCode = "";

        Call(boolean approved, long intended) {
            this.approved = approved;
            this.intended = intended;
        }
    }

    private HttpBench(PrintWriter out) {
        this.out = out;
    }

    static Map<String, Object> measure(Path jar, List<Double> rates, int agents, Duration warmup, Duration duration,
                                       Duration drain, PrintWriter out) throws Exception {
        return new HttpBench(out).run(jar, rates, agents, warmup, duration, drain);
    }

    private Map<String, Object> run(Path jar, List<Double> rates, int agentCount, Duration warmup, Duration duration,
                                    Duration drain) throws Exception {
        String adminKey = "tg_bench" + Long.toString(System.nanoTime(), 36) + "x".repeat(24);
        Map<String, Object> report = new LinkedHashMap<>();
        try (DevProcess dev = DevProcess.start(jar, adminKey)) {
            intake = dev.intakeUrl();
            report.put("devReadyMs", dev.readyMillis());
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(dev.schemaRegistryUrl()));
            Thread observer = new Thread(() -> observe(dev.bootstrapServers(), serdes), "bench-http-observer");
            observer.setDaemon(true);
            observer.start();
            if (!observerReady.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the observing consumer found no end offsets in 5 minutes");
            }
            List<String> keys = new ArrayList<>();
            for (int a = 0; a < agentCount; a++) {
                JsonNode agent = post("/v1/identities", adminKey, "{\"name\":\"bench-agent-" + a
                        + "\",\"kind\":\"agent\",\"tenant\":\"bench-" + a + "\",\"roles\":[]}");
                keys.add(agent.path("apiKey").asText());
            }
            List<Map<String, Object>> results = new ArrayList<>();
            int measurement = 0;
            for (double rate : rates) {
                http = newClient();
                out.println(String.format(Locale.ROOT, "  http %.0f calls/s ...", rate));
                out.flush();
                results.add(fixedRate("r" + measurement++, rate, keys, warmup, duration, drain));
            }
            observing = false;
            observer.join(5_000);
            report.put("results", results);
            return report;
        }
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private Map<String, Object> fixedRate(String tag, double rate, List<String> keys, Duration warmup,
                                          Duration duration, Duration drain) throws Exception {
        long total = Math.round(rate * (warmup.toMillis() + duration.toMillis()) / 1000.0);
        long warmupCalls = Math.round(rate * warmup.toMillis() / 1000.0);
        // Runs enough for every approved call at CALLS_PER_RUN each, admitted before the first call. Agent and kind
        // both follow the tick (i % agents, i % 5), so with 20 agents some agents send only approved calls: bound by
        // every call of an agent, not four fifths of them (which overfilled the last run: BUDGET_EXHAUSTED).
        int agents = keys.size();
        long approvedPerAgent = (total + agents - 1) / agents + 2;
        int runsPerAgent = (int) (approvedPerAgent / CALLS_PER_RUN + 1);
        List<List<String>> runs = admittedRuns(keys, runsPerAgent);

        long epochMicros0 = micros(Instant.now());
        long nanos0 = System.nanoTime();
        Pacer pacer = new Pacer(rate);
        int[] approvedSoFar = new int[agents];
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        List<String> measured = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            long due = pacer.awaitNext();
            int agent = (int) (i % agents);
            boolean approved = i % 5 != 4;
            int run = Math.min(runsPerAgent - 1, approvedSoFar[agent] / CALLS_PER_RUN);
            if (approved) {
                approvedSoFar[agent]++;
            }
            String callId = "bench-" + tag + "-" + i;
            Call call = new Call(approved, epochMicros0 + (due - nanos0) / 1000);
            calls.put(callId, call);
            if (i >= warmupCalls) {
                measured.add(callId);
            }
            String body = approved
                    ? "{\"tool\":\"echo\",\"args\":{\"msg\":\"bench\"},\"callId\":\"" + callId + "\"}"
                    : "{\"tool\":\"email.send\",\"args\":{\"to\":[\"someone@gmail.com\"],\"subject\":\"hi\"},"
                    + "\"callId\":\"" + callId + "\"}";
            inFlight.add(postAsync("/v1/runs/" + runs.get(agent).get(run) + "/tool-calls?waitMs=5000",
                    keys.get(agent), body).handle((answer, error) -> {
                        call.answered = micros(Instant.now());
                        call.outcome = error != null ? "error" : answer.path("decision").asText("none") + "/"
                                + answer.path("status").asText("none");
                        if (sampleAnswer.isEmpty() || error != null && !sampleAnswer.startsWith("error")) {
                            sampleAnswer = error != null ? "error " + error : answer.toString();
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(drain.toMillis() + 10_000,
                TimeUnit.MILLISECONDS);
        // The observer may trail the answers by a fetch.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        return summarize(rate, measured);
    }

    /**
     * Runs for each agent, each admitted (seen as RunAdmitted on the ledger) before the first call. A run requested
     * before the processor's identity store has the new agent is rejected; it is requested again.
     */
    private List<List<String>> admittedRuns(List<String> keys, int runsPerAgent) throws Exception {
        List<List<String>> runs = new ArrayList<>();
        for (int a = 0; a < keys.size(); a++) {
            runs.add(new ArrayList<>());
            for (int r = 0; r < runsPerAgent; r++) {
                runs.get(a).add(null);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            List<CompletableFuture<JsonNode>> pending = new ArrayList<>();
            List<int[]> slots = new ArrayList<>();
            for (int a = 0; a < keys.size(); a++) {
                for (int r = 0; r < runsPerAgent; r++) {
                    String runId = runs.get(a).get(r);
                    if (runId == null || rejected.contains(runId)) {
                        slots.add(new int[] {a, r});
                        pending.add(postAsync("/v1/runs", keys.get(a), "{\"workflow\":\"support-triage\","
                                + "\"environment\":\"staging\",\"classification\":\"Internal\",\"input\":{\"ticket\":"
                                + r + "}}"));
                    }
                }
            }
            for (int i = 0; i < slots.size(); i++) {
                int[] slot = slots.get(i);
                runs.get(slot[0]).set(slot[1], pending.get(i).get(120, TimeUnit.SECONDS).path("runId").asText());
            }
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < settle && !runs.stream().flatMap(List::stream)
                    .allMatch(id -> admitted.contains(id) || rejected.contains(id))) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long admittedRuns = runs.stream().flatMap(List::stream).filter(admitted::contains).count();
            out.println(String.format(Locale.ROOT, "    %d of %d runs admitted", admittedRuns,
                    (long) keys.size() * runsPerAgent));
            out.flush();
            if (admittedRuns == (long) keys.size() * runsPerAgent) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
        return runs;
    }

    private Map<String, Object> summarize(double rate, List<String> measured) {
        Latencies approved = new Latencies();
        Latencies denied = new Latencies();
        Map<String, Latencies> hops = new LinkedHashMap<>();
        for (String hop : HOPS) {
            hops.put(hop, new Latencies());
        }
        hops.put(OFF_PATH, new Latencies());
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        Map<String, Integer> echoDenied = new LinkedHashMap<>();
        int withHops = 0;
        for (String id : measured) {
            Call c = calls.get(id);
            outcomes.merge((c.approved ? "echo " : "email.send ") + c.outcome, 1, Integer::sum);
            if (c.approved && !c.denialCode.isEmpty()) {
                // An echo call the policy denied (a limit, say) is not an approved call: not in its latencies.
                echoDenied.merge(c.denialCode, 1, Integer::sum);
                continue;
            }
            if (c.answered == 0) {
                continue;
            }
            (c.approved ? approved : denied).record((c.answered - c.intended) * 1000);
            if (c.approved && c.commandSeen > 0 && c.decidedSeen > 0 && c.started > 0 && c.finished > 0
                    && c.resultSeen > 0 && c.completedSeen > 0) {
                withHops++;
                long[] times = {c.intended, c.commandSeen, c.decidedSeen, c.started, c.finished, c.resultSeen,
                    c.answered};
                for (int h = 0; h < HOPS.length; h++) {
                    hops.get(HOPS[h]).record(Math.max(0, times[h + 1] - times[h]) * 1000);
                }
                hops.get(OFF_PATH).record(Math.max(0, c.completedSeen - c.resultSeen) * 1000);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("offeredPerSecond", rate);
        result.put("measuredCalls", measured.size());
        result.put("outcomes", outcomes);
        result.put("echoCallsDeniedByCode", echoDenied);
        result.put("approvedEcho", percentiles(approved));
        result.put("deniedEmail", percentiles(denied));
        Map<String, Object> hopMap = new LinkedHashMap<>();
        hops.forEach((name, lat) -> hopMap.put(name, Map.of("p50Ms", round(lat.percentileMillis(50)),
                "p99Ms", round(lat.percentileMillis(99)))));
        result.put("approvedHopsFromCallsWithEveryHop", withHops);
        result.put("approvedHops", hopMap);
        out.println(String.format(Locale.ROOT, "    approved echo   p50 %8.2f  p99 %8.2f ms (%d)",
                approved.percentileMillis(50), approved.percentileMillis(99), approved.count()));
        out.println(String.format(Locale.ROOT, "    denied email    p50 %8.2f  p99 %8.2f ms (%d)",
                denied.percentileMillis(50), denied.percentileMillis(99), denied.count()));
        hops.forEach((name, lat) -> out.println(String.format(Locale.ROOT, "      hop %-22s p50 %8.2f  p99 %8.2f ms",
                name, lat.percentileMillis(50), lat.percentileMillis(99))));
        out.println("    outcomes " + outcomes);
        if (!echoDenied.isEmpty()) {
            out.println("    echo calls the policy denied (left out of the approved figures), by reason: " + echoDenied);
        }
        out.println("    observed records " + observed + (observeError.isEmpty() ? "" : "; first unreadable: "
                + observeError));
        out.println("    a sample answer: " + (sampleAnswer.length() > 300 ? sampleAnswer.substring(0, 300)
                : sampleAnswer));
        result.put("observedRecords", Map.copyOf(observed));
        out.flush();
        return result;
    }

    private static Map<String, Object> percentiles(Latencies latencies) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("samples", latencies.count());
        map.put("p50Ms", round(latencies.percentileMillis(50)));
        map.put("p90Ms", round(latencies.percentileMillis(90)));
        map.put("p99Ms", round(latencies.percentileMillis(99)));
        map.put("maxMs", round(latencies.maxMillis()));
        return map;
    }

    private static double round(double value) {
        return Double.isNaN(value) ? value : Math.round(value * 100) / 100.0;
    }

    /** Notes when each record of a bench call becomes visible to a read_committed reader. */
    private void observe(String bootstrap, TollgateSerdes serdes) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        List<String> topics = List.of(Topics.COMMANDS.name(), Topics.LEDGER.name(), Topics.DISPATCH.name(),
                Topics.TOOL_RESULTS.name());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofMinutes(3))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // Resolve the end offsets now, so nothing produced after this point is missed.
            partitions.forEach(partition -> consumer.position(partition, Duration.ofMinutes(3)));
            observerReady.countDown();
            while (observing) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long seen = micros(Instant.now());
                    observed.merge(record.topic(), 1, Integer::sum);
                    try {
                        note(record, seen, serdes);
                    } catch (RuntimeException e) {
                        // Not a record this bench can read: counted out, the first reason kept for the report.
                        observed.merge("unreadable", 1, Integer::sum);
                        if (observeError.isEmpty()) {
                            observeError = record.topic() + ": " + e;
                        }
                    }
                }
            }
        }
    }

    private void note(ConsumerRecord<String, byte[]> record, long seen, TollgateSerdes serdes) {
        String topic = record.topic();
        if (topic.equals(Topics.COMMANDS.name())) {
            Command command = serdes.value(Topics.COMMANDS).deserializer().deserialize(topic, record.value());
            if (command.getPayload() instanceof RequestToolCall request) {
                call(request.getCallId()).ifPresent(c -> c.commandSeen = seen);
            }
        } else if (topic.equals(Topics.LEDGER.name())) {
            LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(topic, record.value());
            Object payload = event.getPayload();
            if (payload instanceof RunAdmitted) {
                admitted.add(event.getRunId());
            } else if (payload instanceof RunRejected) {
                rejected.add(event.getRunId());
            } else if (payload instanceof ToolCallApproved approved) {
                call(approved.getCallId()).ifPresent(c -> c.decidedSeen = seen);
            } else if (payload instanceof ToolCallDenied denied) {
                call(denied.getCallId()).ifPresent(c -> {
                    c.decidedSeen = seen;
                    c.denialCode = denied.getReasons().isEmpty() ? "none" : denied.getReasons().get(0).getCode().name();
                });
            } else if (payload instanceof ToolCallCompleted completed) {
                call(completed.getCallId()).ifPresent(c -> c.completedSeen = seen);
            }
        } else if (topic.equals(Topics.DISPATCH.name())) {
            ToolCallDispatch dispatch = serdes.value(Topics.DISPATCH).deserializer().deserialize(topic,
                    record.value());
            call(dispatch.getCallId()).ifPresent(c -> c.dispatchSeen = seen);
        } else if (topic.equals(Topics.TOOL_RESULTS.name())) {
            ToolCallResult result = serdes.value(Topics.TOOL_RESULTS).deserializer().deserialize(topic,
                    record.value());
            call(result.getCallId()).ifPresent(c -> {
                c.started = micros(result.getStartedAt());
                c.finished = micros(result.getFinishedAt());
                c.resultSeen = seen;
            });
        }
    }

    private java.util.Optional<Call> call(String callId) {
        return java.util.Optional.ofNullable(calls.get(callId));
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    private JsonNode post(String path, String key, String body) throws Exception {
        return postAsync(path, key, body).get(60, TimeUnit.SECONDS);
    }

    private CompletableFuture<JsonNode> postAsync(String path, String key, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(intake + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            try {
                JsonNode json = JSON.readTree(response.body());
                if (response.statusCode() >= 300 && response.statusCode() != 202) {
                    throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                            + response.body());
                }
                return json;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("POST " + path + " answered non-JSON: " + response.body(), e);
            }
        });
    }
}
