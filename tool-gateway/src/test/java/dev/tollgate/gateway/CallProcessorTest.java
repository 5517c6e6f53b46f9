package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import dev.tollgate.gateway.journal.Journal;
import dev.tollgate.gateway.journal.JournalEntry;
import dev.tollgate.gateway.receipt.ReceiptSigner;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolRegistry;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallProcessorTest {

    @TempDir
    Path dir;
    private final ExecutorService toolThreads = Executors.newCachedThreadPool();
    private final CountDownLatch never = new CountDownLatch(1);
    private final AtomicInteger sideEffects = new AtomicInteger();
    private final List<JournalEntry> gated = new ArrayList<>();
    private Journal journal;
    private ReceiptSigner signer;
    private CallProcessor processor;

    /** A test tool: {@code mode} hang | boom | side-effect. */
    private final class TestTool implements Tool {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public String argsSchemaJson() {
            return "{\"type\":\"object\",\"required\":[\"mode\"]}";
        }

        @Override
        public boolean idempotent() {
            return false;
        }

        @Override
        public JsonNode execute(ToolCall call) throws Exception {
            switch (call.args().path("mode").asText()) {
                case "hang" -> never.await();
                case "boom" -> throw new IllegalStateException("kaboom");
                default -> sideEffects.incrementAndGet();
            }
            return JsonNodeFactory.instance.objectNode().put("ok", true);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        GatewayConfig config = GatewayConfig.of(Map.of("data.dir", dir.toString(), "timeouts.test", "PT0.3S"));
        Files.createDirectories(config.fsRoot());
        journal = new Journal("127.0.0.1:1", "unit-test");
        signer = ReceiptSigner.loadOrCreate(config.signingPrivateKeyFile(), config.signingPublicKeyFile());
        ToolRegistry tools = ToolRegistry.builtIns(config).toBuilder().add(new TestTool()).build();
        processor = new CallProcessor(config, tools, signer, journal, toolThreads, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        never.countDown();
        toolThreads.shutdownNow();
        journal.close();
    }

    private static ToolCallDispatch dispatch(String callId, String tool, String args, String schema) {
        return ToolCallDispatch.newBuilder().setRunId("run-1").setCallId(callId).setTool(tool).setArgsJson(args)
                .setArgsSha256(CanonicalJson.sha256(args)).setArgsSchemaJson(schema).setTenantId("t")
                .setPrincipalId("p").setApprovedAt(Instant.now()).build();
    }

    private CallProcessor.Outcome run(ToolCallDispatch d) throws InterruptedException {
        return processor.process(d, marker -> gated.add(marker));
    }

    @Test
    void succeedsWithASignedReceiptOverTheCanonicalDigests() throws Exception {
        CallProcessor.Outcome outcome = run(dispatch("c1", "echo", "{ \"b\": 1, \"a\": 2 }", "{\"type\":\"object\"}"));

        ToolCallResult result = outcome.result();
        assertThat(result.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
        assertThat(result.getResultJson()).isEqualTo("{\"echo\":{\"a\":2,\"b\":1}}");
        assertThat(result.getResultSha256()).isEqualTo(CanonicalJson.sha256(result.getResultJson()));
        assertThat(result.getReceipt().getArgsSha256()).isEqualTo(CanonicalJson.sha256("{\"a\":2,\"b\":1}"));
        assertThat(ReceiptCanonicalForm.verify(result.getReceipt(), signer.publicKey())).isTrue();
        assertThat(gated).isEmpty();
    }

    @Test
    void recordsTheStartOfANonIdempotentCallBeforeRunningIt() throws Exception {
        CallProcessor.Outcome outcome = processor.process(dispatch("c1", "test", "{\"mode\":\"ok\"}", "{}"),
                marker -> {
                    assertThat(sideEffects).hasValue(0);
                    gated.add(marker);
                    return true;
                });

        assertThat(outcome.result().getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
        assertThat(gated).singleElement().satisfies(m -> assertThat(m.state()).isEqualTo(JournalEntry.State.STARTED));
        assertThat(sideEffects).hasValue(1);
        assertThat(outcome.startCommitted()).isTrue();
    }

    @Test
    void doesNotRunWhenTheStartCannotBeRecorded() throws Exception {
        CallProcessor.Outcome outcome = processor.process(dispatch("c1", "test", "{\"mode\":\"ok\"}", "{}"),
                marker -> false);

        assertThat(outcome.kind()).isEqualTo(CallProcessor.Outcome.Kind.DROPPED);
        assertThat(sideEffects).hasValue(0);
    }

    @Test
    void reportsOutcomeUnknownForACallStartedBeforeAndNeverRunsIt() throws Exception {
        Instant before = Instant.ofEpochMilli(1_700_000_000_000L);
        journal.record(new JournalEntry(JournalEntry.State.STARTED, "run-1", "c1", "test",
                CanonicalJson.sha256("{\"mode\":\"ok\"}"), before, "old-gateway"));

        ToolCallResult result = run(dispatch("c1", "test", "{\"mode\":\"ok\"}", "{}")).result();

        assertThat(result.getStatus()).isEqualTo(ToolCallStatus.OUTCOME_UNKNOWN);
        assertThat(result.getStartedAt()).isEqualTo(before);
        assertThat(result.getResultJson()).isNull();
        assertThat(ReceiptCanonicalForm.verify(result.getReceipt(), signer.publicKey())).isTrue();
        assertThat(sideEffects).hasValue(0);
        assertThat(gated).isEmpty();
    }

    @Test
    void skipsACallThatAlreadyFinished() throws Exception {
        journal.record(new JournalEntry(JournalEntry.State.FINISHED, "run-1", "c1", "test", "x", Instant.now(), "g"));

        assertThat(run(dispatch("c1", "test", "{\"mode\":\"ok\"}", "{}")).kind())
                .isEqualTo(CallProcessor.Outcome.Kind.SKIPPED);
        assertThat(sideEffects).hasValue(0);
    }

    @Test
    void reportsTimedOutWhenTheToolExceedsItsTimeout() throws Exception {
        ToolCallResult result = run(dispatch("c1", "test", "{\"mode\":\"hang\"}", "{}")).result();

        assertThat(result.getStatus()).isEqualTo(ToolCallStatus.TIMED_OUT);
        assertThat(result.getError()).contains("PT0.3S");
        assertThat(result.getResultSha256()).isEqualTo(CanonicalJson.sha256(CallProcessor.errorDigestJson(
                ToolCallStatus.TIMED_OUT, result.getErrorClass(), result.getError())));
    }

    @Test
    void reportsFailedWithTheErrorClassAndMessage() throws Exception {
        ToolCallResult result = run(dispatch("c1", "test", "{\"mode\":\"boom\"}", "{}")).result();

        assertThat(result.getStatus()).isEqualTo(ToolCallStatus.FAILED);
        assertThat(result.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(result.getError()).isEqualTo("kaboom");
    }

    @Test
    void countsUpstreamFailuresByKind() {
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.FAILED, "UPSTREAM_HTTP_STATUS"))
                .isEqualTo("http_status");
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.FAILED, "UPSTREAM_TOOL_ERROR"))
                .isEqualTo("tool_error");
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.FAILED, ConnectException.class.getName()))
                .isEqualTo("io");
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.TIMED_OUT, null)).isEqualTo("timeout");
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.FAILED, "UPSTREAM_NONSENSE")).isNull();
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.FAILED, "TOOL_DEFINITION_CHANGED")).isNull();
        assertThat(CallProcessor.upstreamErrorKind(ToolCallStatus.SUCCEEDED, "UPSTREAM_TOOL_ERROR")).isNull();
    }

    @Test
    void revalidatesArgumentsAgainstTheDispatchSchema() throws Exception {
        String schema = "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"q\"],"
                + "\"properties\":{\"q\":{\"type\":\"string\"}}}";
        ToolCallResult result = run(dispatch("c1", "search_docs", "{\"q\":\"x\",\"extra\":1}", schema)).result();

        assertThat(result.getStatus()).isEqualTo(ToolCallStatus.FAILED);
        assertThat(result.getErrorClass()).endsWith("ArgsInvalidException");
        assertThat(result.getError()).contains("dispatch's argsSchemaJson").contains("extra");
    }

    @Test
    void failsUnknownToolsAndMismatchedDigests() throws Exception {
        assertThat(run(dispatch("c1", "rm -rf", "{}", "{}")).result().getErrorClass())
                .endsWith("ToolUnknownException");
        ToolCallDispatch forged = dispatch("c2", "echo", "{\"a\":1}", "{}");
        forged.setArgsSha256(CanonicalJson.sha256("{\"a\":2}"));
        assertThat(run(forged).result().getError()).contains("argsSha256");
    }
}
