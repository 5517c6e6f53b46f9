package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.Grants;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.IntakeApp;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Start-up of the read side against a ledger of a given size: on a fresh embedded broker, writes {@code events}
 * ledger events (runs of {@value #EVENTS_PER_RUN}: admitted, nine approved and completed calls, completed; valid hash
 * chains) to {@code tollgate.ledger.v1}, then measures
 * <ul>
 *     <li>intake: {@code IntakeApp.start} to ready (it reads only a recent window of the ledger);</li>
 *     <li>the projector's first start on an empty state directory to ready (RUNNING), and the time until its view
 *     of the last run is caught up (that is projecting the whole ledger, informational);</li>
 *     <li>the projector restarted on its state directory, to ready, and one {@code GET /v1/runs/{runId}/verify} of
 *     the last run (which reads only that run's span).</li>
 * </ul>
 * Each start is repeated and the median reported, since the machine may be shared. Writes the identities and the
 * ledger; the services write their own topics.
 */
public final class ReadSideStartup {

    static final int EVENTS_PER_RUN = 20;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CATCH_UP_TIMEOUT =
            Duration.ofMinutes(Long.getLong("tollgate.bench.catchUpMinutes", 60));
    private static final String ADMIN_KEY = "tg_bench_readside_admin_key_0001";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReadSideStartup() {
    }

    /**
     * {@code ReadSideStartup EVENTS [REPEATS]}: measures an empty ledger and one of EVENTS events (REPEATS starts of
     * each service, default 3) and prints the JSON report.
     */
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("empty", measure(0, repeats));
        report.put("full", measure(events, repeats));
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.exit(0);
    }

    /** Measures one ledger size; {@code repeats} starts of each service. */
    public static Map<String, Object> measure(long events, int repeats) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ledgerEvents", events);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
            long writeStart = System.nanoTime();
            String lastRun = write(kafka, serdes, events);
            out.put("writeLedgerMs", millisSince(writeStart));

            List<Long> intake = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                try (IntakeApp app = IntakeApp.start(intakeConfig(kafka))) {
                    if (!app.ready()) {
                        throw new IllegalStateException("intake returned from start without being ready");
                    }
                    intake.add(millisSince(start));
                }
            }
            out.put("intakeReadyMs", intake);
            out.put("intakeReadyMedianMs", median(intake));

            Path state = Files.createTempDirectory("tollgate-bench-projector");
            String appId = "tollgate-bench-projector-" + Long.toString(System.currentTimeMillis(), 36);
            boolean caughtUp = false;
            try {
                long start = System.nanoTime();
                try (ProjectorApp first = ProjectorApp.start(projectorConfig(kafka, state, appId))) {
                    awaitReady(first);
                    out.put("projectorFirstStartReadyMs", millisSince(start));
                    if (lastRun != null) {
                        caughtUp = awaitRun(first, lastRun, CATCH_UP_TIMEOUT);
                        out.put(caughtUp ? "projectorFirstStartCaughtUpMs" : "projectorNotCaughtUpAfterMs",
                                millisSince(start));
                    }
                }
                List<Long> restarts = new ArrayList<>();
                List<Long> verifies = new ArrayList<>();
                for (int i = 0; i < repeats; i++) {
                    long restart = System.nanoTime();
                    try (ProjectorApp again = ProjectorApp.start(projectorConfig(kafka, state, appId))) {
                        awaitReady(again);
                        restarts.add(millisSince(restart));
                        // Verify reads the span the projector recorded, so only once the last run is projected.
                        if (caughtUp && awaitRun(again, lastRun, READY_TIMEOUT)) {
                            long verify = System.nanoTime();
                            JsonNode result = get(again, "/v1/runs/" + lastRun + "/verify");
                            verifies.add(millisSince(verify));
                            if (!result.path("valid").asBoolean() || result.path("events").asLong() != EVENTS_PER_RUN) {
                                throw new IllegalStateException("verify of the last run answered " + result);
                            }
                        }
                    }
                }
                out.put("projectorRestartReadyMs", restarts);
                out.put("projectorRestartReadyMedianMs", median(restarts));
                if (!verifies.isEmpty()) {
                    out.put("verifyLastRunMs", verifies);
                    out.put("verifyLastRunMedianMs", median(verifies));
                }
            } finally {
                deleteQuietly(state);
            }
        }
        return out;
    }

    static String write(EmbeddedKafka kafka, TollgateSerdes serdes, long events) throws Exception {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        String lastRun = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            Identity admin = Identity.newBuilder().setPrincipalId("bench-admin").setName("bench-admin")
                    .setKind(PrincipalKind.HUMAN).setTenantId("bench").setRoles(List.of("admin"))
                    .setApiKeySha256(Sha256.hex(ADMIN_KEY)).setEnabled(true).setCreatedAt(Instant.now())
                    .setUpdatedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(Topics.IDENTITIES.name(), "bench-admin",
                    serdes.value(Topics.IDENTITIES).serializer().serialize(Topics.IDENTITIES.name(), admin))).get();
            var serializer = serdes.value(Topics.LEDGER).serializer();
            Instant at = Instant.now().minus(Duration.ofDays(1));
            for (long written = 0; written < events; ) {
                String runId = UUID.randomUUID().toString();
                String prevHash = LedgerHash.GENESIS;
                for (int seq = 1; seq <= EVENTS_PER_RUN && written < events; seq++, written++) {
                    LedgerEvent event = LedgerEvent.newBuilder().setRunId(runId).setSeq(seq)
                            .setEventId(runId + "/" + seq).setOccurredAt(at).setTenantId("bench")
                            .setPrincipalId("bench-agent").setPolicyName("default").setPolicyVersion("1")
                            .setPolicySha256("ab".repeat(32)).setCausationId(runId).setPrevHash(prevHash)
                            .setPayload(payload(seq)).build();
                    byte[] value = serializer.serialize(Topics.LEDGER.name(), event);
                    String hash = LedgerHash.ofRecordValue(value);
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(LedgerHash.HEADER, hash.getBytes(StandardCharsets.UTF_8));
                    producer.send(new ProducerRecord<>(Topics.LEDGER.name(), null, runId, value, headers));
                    prevHash = hash;
                    if (seq == EVENTS_PER_RUN) {
                        lastRun = runId;
                    }
                }
            }
            producer.flush();
        }
        return lastRun;
    }

    private static Object payload(int seq) {
        if (seq == 1) {
            return RunAdmitted.newBuilder().setWorkflow("bench").setEnvironment("dev").setClassification("internal")
                    .setRuleId("runs.bench").setGrants(Grants.newBuilder()
                            .setTools(List.of("fs.read")).setMaxToolCalls(100).setCostMicros(1_000_000)
                            .setTokens(100_000).setRetentionDays(30).build())
                    .setInputSha256("cd".repeat(32)).build();
        }
        if (seq == EVENTS_PER_RUN) {
            return RunCompleted.newBuilder().setOutcome("success").setSummary("bench").build();
        }
        String callId = "c" + (seq / 2);
        if (seq % 2 == 0) {
            return ToolCallApproved.newBuilder().setCallId(callId).setTool("fs.read").setArgsJson("{}")
                    .setArgsSha256("ef".repeat(32)).setReservedCostMicros(10).setMatchedRules(List.of("allow"))
                    .build();
        }
        return ToolCallCompleted.newBuilder().setCallId(callId).setTool("fs.read").setStatus(ToolCallStatus.SUCCEEDED)
                .setResultSha256("01".repeat(32)).setCostMicros(10).setReceipt(null).build();
    }

    private static IntakeConfig intakeConfig(EmbeddedKafka kafka) {
        return IntakeConfig.of(Map.of(
                IntakeConfig.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
                IntakeConfig.SCHEMA_REGISTRY_URL.name(), kafka.schemaRegistryUrl(),
                IntakeConfig.HTTP_HOST.name(), "127.0.0.1",
                IntakeConfig.HTTP_PORT.name(), "0"));
    }

    static ProjectorConfig projectorConfig(EmbeddedKafka kafka, Path state, String appId) {
        return ProjectorConfig.of(Map.of(
                ProjectorConfig.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers(),
                ProjectorConfig.SCHEMA_REGISTRY_URL.name(), kafka.schemaRegistryUrl(),
                ProjectorConfig.STATE_DIR.name(), state.toString(),
                ProjectorConfig.HTTP_HOST.name(), "127.0.0.1",
                ProjectorConfig.HTTP_PORT.name(), "0",
                ProjectorConfig.APPLICATION_ID_OVERRIDE.name(), appId));
    }

    static void awaitReady(ProjectorApp app) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!app.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the projector was not ready within " + READY_TIMEOUT);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /** Whether the run's view is complete within {@code timeout}. */
    static boolean awaitRun(ProjectorApp app, String runId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode run = tryGet(app, "/v1/runs/" + runId);
            if (run != null && run.path("lastSeq").asLong() == EVENTS_PER_RUN) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static JsonNode get(ProjectorApp app, String path) throws Exception {
        JsonNode body = tryGet(app, path);
        if (body == null) {
            throw new IllegalStateException("GET " + path + " did not answer 200");
        }
        return body;
    }

    private static JsonNode tryGet(ProjectorApp app, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.httpPort() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void deleteQuietly(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }
}
