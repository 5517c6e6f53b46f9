package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevCommandIT {

    @TempDir
    Path dataDir;

    @Test
    void startsTheBrokerAndRegistryWithEveryTopicAndSubjectAndStopsCleanly() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Tollgate.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        DevCommand dev = commandLine.getSubcommands().get("dev").getCommand();
        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> commandLine.execute("dev",
                "--data-dir", dataDir.toString(), "--kafka-port", "0", "--registry-port", "0"));

        Awaitility.await().atMost(Duration.ofSeconds(90))
                .failFast(exitCode::isDone)
                .until(() -> out.toString().contains("Tollgate dev stack ready"));
        String bootstrap = find(out.toString(), "Kafka bootstrap servers: (\\S+)");
        String registry = find(out.toString(), "Schema registry: +(\\S+)");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsAll(Topics.ALL.stream().map(TopicSpec::name).toList());
        }
        JsonNode subjects = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry + "/subjects")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        List<String> expected = Topics.ALL.stream().filter(TopicSpec::isAvro).map(TopicSpec::valueSubject).toList();
        assertThat(subjects).extracting(JsonNode::asText).containsAll(expected);

        // The operator command finds the dev stack's topics.
        CommandRun topics = CommandRun.of("topics", "--bootstrap-servers", bootstrap);
        assertThat(topics.out()).contains("tollgate.commands.v1").doesNotContain("MISSING");

        dev.stop();
        assertThat(exitCode.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(dataDir.resolve("kafka/meta.properties")).as("the data survives the stop").exists();
        try (Stream<Path> files = Files.list(dataDir.resolve("kafka"))) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("tollgate.ledger.v1-"));
        }
    }

    @Test
    void failsInOneLineWhenTheKafkaPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandRun run = CommandRun.of("dev", "--data-dir", dataDir.toString(),
                    "--kafka-port", Integer.toString(taken.getLocalPort()), "--registry-port", "0");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("tollgate: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("output has " + regex + ":\n" + text).isTrue();
        return matcher.group(1);
    }
}
