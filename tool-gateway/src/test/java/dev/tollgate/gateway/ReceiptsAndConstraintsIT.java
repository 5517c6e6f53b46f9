package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(EmbeddedKafkaExtension.class)
class ReceiptsAndConstraintsIT {

    @TempDir
    Path dir;

    @Test
    void signsResultsRefusesEgressAndTraversalAndDeadLettersPoison(EmbeddedKafka kafka) throws Exception {
        Files.createDirectories(dir.resolve("gateway/files"));
        Files.writeString(dir.resolve("gateway/files/hello.txt"), "hello");
        Files.writeString(dir.resolve("secret.txt"), "secret");
        GatewayConfig config = GatewayItSupport.config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), dir,
                Map.of("egress.allow", "http://127.0.0.1:9/public/", "http.port", "0"));
        String runId = EmbeddedKafkaExtension.uniqueId("receipts-run");

        try (ToolGatewayApp gateway = ToolGatewayApp.start(config);
             GatewayItSupport it = new GatewayItSupport(kafka.bootstrapServers(), kafka.schemaRegistryUrl())) {
            it.startReading();
            it.dispatch(runId, "echo-1", "echo", "{\"msg\": \"hi\"}");
            it.dispatch(runId, "fetch-1", "http.fetch", "{\"url\":\"http://example.org/admin\"}");
            it.dispatch(runId, "read-1", "fs.read", "{\"path\":\"../../secret.txt\"}");
            it.dispatch(runId, "read-2", "fs.read", "{\"path\":\"hello.txt\"}");
            it.send(runId, "not avro at all".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(60)).until(() -> it.results(runId).size() >= 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> it.keys.containsKey(gateway.keyId()));

            Map<String, ToolCallResult> byCall = new HashMap<>();
            it.results(runId).forEach(r -> byCall.put(r.getCallId(), r));
            PublicKey key = ReceiptCanonicalForm.decodePublicKey(it.keys.get(gateway.keyId()).getPublicKey());

            ToolCallResult echo = byCall.get("echo-1");
            assertThat(echo.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
            assertThat(echo.getResultSha256()).isEqualTo(CanonicalJson.sha256(echo.getResultJson()));
            assertThat(ReceiptCanonicalForm.verify(echo.getReceipt(), key)).isTrue();
            String tamperedJson = "{\"echo\":{\"msg\":\"bye\"}}";
            Receipt tampered = Receipt.newBuilder(echo.getReceipt())
                    .setResultSha256(CanonicalJson.sha256(tamperedJson)).build();
            assertThat(ReceiptCanonicalForm.verify(tampered, key)).as("a tampered result is rejected").isFalse();

            ToolCallResult fetch = byCall.get("fetch-1");
            assertThat(fetch.getStatus()).isEqualTo(ToolCallStatus.FAILED);
            assertThat(fetch.getErrorClass()).endsWith("EgressDeniedException");
            assertThat(fetch.getError()).contains("http://example.org/admin").contains("not in the egress allowlist");
            assertThat(ReceiptCanonicalForm.verify(fetch.getReceipt(), key)).isTrue();

            ToolCallResult traversal = byCall.get("read-1");
            assertThat(traversal.getStatus()).isEqualTo(ToolCallStatus.FAILED);
            assertThat(traversal.getErrorClass()).endsWith("PathEscapeException");
            assertThat(traversal.getError()).contains("escapes the root");
            assertThat(byCall.get("read-2").getResultJson()).contains("\"text\":\"hello\"");

            await().atMost(Duration.ofSeconds(30)).until(() -> it.deadLetters.stream().anyMatch(r ->
                    new String(r.value(), StandardCharsets.UTF_8).equals("not avro at all")));
            assertThat(it.deadLetters).filteredOn(r -> new String(r.value(), StandardCharsets.UTF_8)
                    .equals("not avro at all")).first().satisfies(r -> assertThat(
                            DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC)).contains(Topics.DISPATCH.name()));

            HttpResponse<String> keys = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + gateway.httpPort().orElseThrow() + "/v1/keys")).build(),
                    HttpResponse.BodyHandlers.ofString());
            GatewayKey published = gateway.publishedKey();
            assertThat(keys.statusCode()).isEqualTo(200);
            assertThat(keys.body()).contains(published.getKeyId()).contains(published.getPublicKey());
        }
    }
}
