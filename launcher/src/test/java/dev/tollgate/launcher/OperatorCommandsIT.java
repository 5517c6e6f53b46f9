package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.identity.PublicKeys;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.policy.engine.DefaultBundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tollgate identity}, {@code tollgate kill} and {@code tollgate policy publish} against the embedded broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class OperatorCommandsIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void createsAndDisablesAnIdentityStoringOnlyTheKeysDigest(EmbeddedKafka kafka) throws Exception {
        String tenant = EmbeddedKafkaExtension.uniqueId("acme");
        String created = run(new IdentityCommand(), kafka, "create", "--name", "triage-bot", "--kind", "agent",
                "--tenant", tenant, "--roles", "a,b");
        JsonNode answer = MAPPER.readTree(created);
        String principalId = answer.path("principalId").asText();
        String apiKey = answer.path("apiKey").asText();
        assertThat(apiKey).startsWith("tg_");

        List<Identity> written = read(kafka, Topics.IDENTITIES, i -> i.getPrincipalId().equals(principalId), 1);
        assertThat(written.get(0).getApiKeySha256()).isEqualTo(Sha256.hex(apiKey));
        assertThat(written.get(0).getKind()).isEqualTo(PrincipalKind.AGENT);
        assertThat(written.get(0).getTenantId()).isEqualTo(tenant);
        assertThat(written.get(0).getRoles()).containsExactly("a", "b");

        String disabled = run(new IdentityCommand(), kafka, "disable", principalId);
        assertThat(MAPPER.readTree(disabled).path("enabled").asBoolean(true)).isFalse();
        List<Identity> both = read(kafka, Topics.IDENTITIES, i -> i.getPrincipalId().equals(principalId), 2);
        assertThat(both.get(1).getEnabled()).isFalse();
        assertThat(both.get(1).getApiKeySha256()).isEqualTo(Sha256.hex(apiKey));
    }

    @Test
    void registersAndRotatesAnIdentitysPublicKey(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        String first = Base64.getEncoder().encodeToString(
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        Path second = dir.resolve("second.pub");
        Files.writeString(second, Base64.getEncoder().encodeToString(
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded()));
        JsonNode created = MAPPER.readTree(run(new IdentityCommand(), kafka, "create", "--name", "signer",
                "--kind", "agent", "--tenant", EmbeddedKafkaExtension.uniqueId("acme"), "--public-key", first));
        String principalId = created.path("principalId").asText();
        assertThat(created.path("publicKeyId").asText()).isEqualTo(PublicKeys.keyId(first));

        JsonNode rotated = MAPPER.readTree(run(new IdentityCommand(), kafka, "public-key", principalId,
                "--public-key", second.toString()));
        assertThat(rotated.path("publicKeyId").asText()).isEqualTo(PublicKeys.keyId(Files.readString(second)));
        run(new IdentityCommand(), kafka, "public-key", principalId, "--remove");
        List<Identity> written = read(kafka, Topics.IDENTITIES, i -> i.getPrincipalId().equals(principalId), 3);
        assertThat(written).extracting(Identity::getPublicKey).containsExactly(first, Files.readString(second), null);
    }

    @Test
    void engagesAndLiftsAKillSwitch(EmbeddedKafka kafka) throws Exception {
        String agent = EmbeddedKafkaExtension.uniqueId("agent");
        assertThat(MAPPER.readTree(run(new KillCommand(), kafka, "engage", "--scope", "agent", "--target", agent,
                "--reason", "loops")).path("key").asText()).isEqualTo("agent:" + agent);
        run(new KillCommand(), kafka, "lift", "--scope", "agent", "--target", agent);
        List<KillSwitch> written = read(kafka, Topics.KILL_SWITCHES, k -> k.getTarget().equals(agent), 2);
        assertThat(written).extracting(KillSwitch::getEngaged).containsExactly(true, false);
        assertThat(written.get(0).getReason()).isEqualTo("loops");
    }

    @Test
    void publishesTheDefaultBundleAndWithIfNoneKeepsWhatIsPublished(EmbeddedKafka kafka) throws Exception {
        String publishedBy = EmbeddedKafkaExtension.uniqueId("compose");
        assertThat(run(new PolicyCommand(), kafka, "publish", "--default", "--published-by", publishedBy))
                .startsWith("published " + DefaultBundle.compiled().name() + " version ");
        List<PolicyBundle> first = read(kafka, Topics.POLICIES, b -> b.getPublishedBy().equals(publishedBy), 1);
        assertThat(first.get(0).getSha256()).isEqualTo(DefaultBundle.compiled().sha256());

        String again = EmbeddedKafkaExtension.uniqueId("compose-again");
        assertThat(run(new PolicyCommand(), kafka, "publish", "--default", "--if-none", "--published-by", again))
                .contains("a bundle is published on tollgate.policies.v1 already");
        // One key, one partition: had the skipped publish been written, it would precede this marker.
        String marker = EmbeddedKafkaExtension.uniqueId("compose-marker");
        run(new PolicyCommand(), kafka, "publish", "--default", "--published-by", marker);
        List<PolicyBundle> next = read(kafka, Topics.POLICIES,
                b -> b.getPublishedBy().equals(again) || b.getPublishedBy().equals(marker), 1);
        assertThat(next.get(0).getPublishedBy()).isEqualTo(marker);
    }

    @Test
    void listsIdentitiesKillSwitchesAndPoliciesLikeTheAdminReadRoutes(EmbeddedKafka kafka) throws Exception {
        String tenant = EmbeddedKafkaExtension.uniqueId("listed");
        String principalId = MAPPER.readTree(run(new IdentityCommand(), kafka, "create", "--name", "lister",
                "--kind", "human", "--tenant", tenant, "--roles", "support-lead")).path("principalId").asText();
        run(new IdentityCommand(), kafka, "create", "--name", "other", "--kind", "agent", "--tenant", tenant + "-x");
        String identities = run(new IdentityCommand(), kafka, "list", "--tenant", tenant);
        assertThat(identities.lines().toList()).hasSize(1);
        JsonNode listed = MAPPER.readTree(identities.lines().findFirst().orElseThrow());
        assertThat(listed.path("principalId").asText()).isEqualTo(principalId);
        assertThat(listed.path("kind").asText()).isEqualTo("human");
        assertThat(listed.path("roles").get(0).asText()).isEqualTo("support-lead");
        assertThat(identities).doesNotContain("apiKey");

        String agent = EmbeddedKafkaExtension.uniqueId("listed-agent");
        run(new KillCommand(), kafka, "engage", "--scope", "agent", "--target", agent, "--reason", "loops");
        String switches = run(new KillCommand(), kafka, "list");
        assertThat(switches.lines().map(this::json).filter(j -> j.path("key").asText().equals("agent:" + agent)))
                .singleElement().satisfies(j -> {
                    assertThat(j.path("engaged").asBoolean()).isTrue();
                    assertThat(j.path("reason").asText()).isEqualTo("loops");
                });
        run(new KillCommand(), kafka, "lift", "--scope", "agent", "--target", agent);
        assertThat(run(new KillCommand(), kafka, "list").lines().map(this::json)
                .filter(j -> j.path("key").asText().equals("agent:" + agent)))
                .singleElement().satisfies(j -> assertThat(j.path("engaged").asBoolean()).isFalse());

        Path bundle = Files.createTempFile("bundle", ".yaml");
        Files.writeString(bundle, DefaultBundle.compiled().yaml());
        run(new PolicyCommand(), kafka, "publish", bundle.toString());
        String policies = run(new PolicyCommand(), kafka, "list");
        assertThat(policies.lines().map(this::json)).anySatisfy(j -> {
            assertThat(j.path("name").asText()).isEqualTo(DefaultBundle.compiled().name());
            assertThat(j.path("version").asText()).isEqualTo(DefaultBundle.compiled().version());
        });
    }

    @Test
    void publishRefusesAVersionPublishedWithOtherContentAndAcceptsTheSameContentAgain(EmbeddedKafka kafka)
            throws Exception {
        String name = EmbeddedKafkaExtension.uniqueId("immutable");
        String yaml = DefaultBundle.yaml().replaceFirst("name: default", "name: " + name);
        Path file = Files.writeString(Files.createTempFile("bundle", ".yaml"), yaml);
        String version = DefaultBundle.compiled().version();
        assertThat(tollgate(kafka, "policy", "publish", file.toString()).exitCode()).isZero();
        CommandRun again = tollgate(kafka, "policy", "publish", file.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("published " + name + " version " + version);

        Path changed = Files.writeString(Files.createTempFile("bundle", ".yaml"), yaml + "\n# other content\n");
        CommandRun refused = tollgate(kafka, "policy", "publish", changed.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).startsWith("tollgate: VERSION_EXISTS: bundle " + name + " version " + version
                + " is published already with sha256 " + Sha256.hex(yaml));
        assertThat(refused.out()).isEmpty();
        List<PolicyBundle> written = read(kafka, Topics.POLICIES, b -> b.getName().equals(name), 2);
        assertThat(written).extracting(PolicyBundle::getSha256).containsOnly(Sha256.hex(yaml));
    }

    @Test
    void diffWithExitCodeExitsOneWhenADecisionWouldChangeAndZeroWhenNone(EmbeddedKafka kafka) throws Exception {
        String tenant = EmbeddedKafkaExtension.uniqueId("diff");
        String principalId = MAPPER.readTree(run(new IdentityCommand(), kafka, "create", "--name", "diff-bot",
                "--kind", "agent", "--tenant", tenant)).path("principalId").asText();
        String name = EmbeddedKafkaExtension.uniqueId("diffed");
        String yaml = DefaultBundle.yaml().replaceFirst("name: default", "name: " + name);
        Path inForce = Files.writeString(Files.createTempFile("bundle", ".yaml"), yaml);
        run(new PolicyCommand(), kafka, "publish", inForce.toString());
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        String runId = java.util.UUID.randomUUID().toString();
        Command requestRun = Command.newBuilder().setCommandId(java.util.UUID.randomUUID().toString())
                .setRunId(runId).setTenantId(tenant).setPrincipalId(principalId).setIssuedAt(java.time.Instant.now())
                .setPayload(RequestRun.newBuilder().setWorkflow("research").setEnvironment("dev")
                        .setClassification("Internal").setInputJson("{}").build())
                .build();
        try (KafkaProducer<String, Command> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                serdes.value(Topics.COMMANDS).serializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, requestRun)).get();
        }

        CommandRun same = tollgate(kafka, "policy", "diff", inForce.toString(), "--exit-code");
        assertThat(same.exitCode()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains(": 0 would change");

        Path researchRefused = Files.writeString(Files.createTempFile("bundle", ".yaml"),
                yaml.replace("[\"support-triage\", \"research\"]", "[\"support-triage\"]"));
        CommandRun changed = tollgate(kafka, "policy", "diff", researchRefused.toString(), "--exit-code");
        assertThat(changed.exitCode()).as(changed.out() + changed.err()).isEqualTo(1);
        assertThat(changed.out()).contains("run=" + runId + " RequestRun");
        CommandRun informational = tollgate(kafka, "policy", "diff", researchRefused.toString());
        assertThat(informational.exitCode()).isZero();
        assertThat(informational.out()).contains("run=" + runId + " RequestRun");
    }

    @Test
    void verifyingARunTheLedgerDoesNotHaveExitsNonZeroNamingIt(EmbeddedKafka kafka) {
        String runId = EmbeddedKafkaExtension.uniqueId("no-such-run");
        CommandRun verify = tollgate(kafka, "ledger", "verify", "--run", runId);
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.err()).isEqualTo("tollgate: no run " + runId + " on tollgate.ledger.v1 (nothing to verify)"
                + System.lineSeparator());
    }

    @Test
    void aRegistryThatCannotBeReachedIsNamedWithKafkaUp(EmbeddedKafka kafka) throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String registry = "http://127.0.0.1:" + closed;
        CommandRun list = CommandRun.of("policy", "list", "--bootstrap-servers", kafka.bootstrapServers(),
                "--schema-registry-url", registry);
        assertThat(list.exitCode()).isEqualTo(Unreachable.EXIT_CODE);
        assertThat(list.err()).isEqualTo("tollgate: cannot reach the schema registry at " + registry
                + " (connection refused)" + System.lineSeparator());
        assertThat(list.out()).isEmpty();
    }

    private static CommandRun tollgate(EmbeddedKafka kafka, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--schema-registry-url", kafka.schemaRegistryUrl()));
        return CommandRun.of(all.toArray(String[]::new));
    }

    private JsonNode json(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static String run(Object command, EmbeddedKafka kafka, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--schema-registry-url", kafka.schemaRegistryUrl()));
        int exit = line.execute(all.toArray(String[]::new));
        assertThat(exit).as(err.toString()).isZero();
        return out.toString().trim();
    }

    private static <V> List<V> read(EmbeddedKafka kafka, TopicSpec<String, V> topic, Predicate<V> match, int count) {
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        List<V> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    V value = serdes.value(topic).deserializer().deserialize(topic.name(), record.value());
                    if (value != null && match.test(value)) {
                        found.add(value);
                    }
                }
                return found.size() >= count;
            });
        }
        return found;
    }
}
