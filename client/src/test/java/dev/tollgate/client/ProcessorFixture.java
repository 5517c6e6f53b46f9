package dev.tollgate.client;

import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.policy.engine.DefaultBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real policy-processor on the embedded broker for the client's ITs, isolated by a unique application id, bundle
 * name and tenant, configured with no intake key (so only commands their principal signed are accepted); writes
 * identities and reads the ledger (checking each run's hash chain), the dispatch topic and the DLQ.
 */
final class ProcessorFixture implements AutoCloseable {

    final String prefix;
    final String tenant;
    final TollgateSerdes serdes;
    private final EmbeddedKafka kafka;
    private final KafkaProducer<String, Object> producer;
    private final PolicyProcessorApp app;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ProcessorFixture(EmbeddedKafka kafka, String name, Path stateDir) throws Exception {
        this.kafka = kafka;
        this.prefix = EmbeddedKafkaExtension.uniqueId(name);
        this.tenant = prefix + "-tenant";
        this.serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        Serializer<Object> values = (topic, value) -> {
            TopicSpec spec = Topics.byName(topic).orElseThrow();
            return ((org.apache.kafka.common.serialization.Serde) serdes.value(spec)).serializer()
                    .serialize(topic, value);
        };
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), values);
        String yaml = DefaultBundle.yaml().replace("name: default", "name: " + prefix);
        send(Topics.POLICIES, prefix, PolicyBundle.newBuilder().setName(prefix).setVersion("it")
                .setSha256(Sha256.hex(yaml)).setYaml(yaml).setPublishedAt(Instant.now()).build());
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(),
                "application.id", prefix + "-policy-processor",
                "policy.bundle", prefix,
                "state.dir", stateDir.toString()));
        app = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings));
        await().atMost(Duration.ofSeconds(90)).until(app::ready);
    }

    /** Registers an identity of this tenant, with {@code key}'s public half when not null; returns its id. */
    String identity(String name, PrincipalKind kind, SigningKey key) throws Exception {
        String principalId = prefix + "-" + name;
        identity(principalId, kind, key == null ? null : key.publicKeyBase64());
        return principalId;
    }

    /** Writes (or rewrites) the identity with {@code publicKey} (Base64 X.509), as intake and the CLI do. */
    void identity(String principalId, PrincipalKind kind, String publicKey) throws Exception {
        send(Topics.IDENTITIES, principalId, Identity.newBuilder().setPrincipalId(principalId).setName(principalId)
                .setKind(kind).setTenantId(tenant).setApiKeySha256("0".repeat(64)).setPublicKey(publicKey)
                .setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build());
    }

    private <V> void send(TopicSpec<String, V> topic, String key, V value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
    }

    /** Waits until the run's ledger has at least {@code count} events; checks its chain from the raw bytes. */
    List<LedgerEvent> awaitEvents(String runId, int count) {
        List<LedgerEvent> events = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            events.clear();
            String previous = LedgerHash.GENESIS;
            for (ConsumerRecord<String, byte[]> record : kafka.readCommitted(Topics.LEDGER.name())) {
                if (!runId.equals(record.key())) {
                    continue;
                }
                LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(record.topic(),
                        record.value());
                String hash = LedgerHash.ofRecordValue(record.value());
                if (!event.getPrevHash().equals(previous) || !hash.equals(new String(
                        record.headers().lastHeader(LedgerHash.HEADER).value(), StandardCharsets.UTF_8))) {
                    throw new AssertionError("chain of " + runId + " broken at seq " + event.getSeq());
                }
                previous = hash;
                events.add(event);
            }
            return events.size() >= count;
        });
        return events;
    }

    /** The runs's records on the dispatch topic. */
    long dispatches(String runId) {
        return kafka.readCommitted(Topics.DISPATCH.name()).stream().filter(r -> runId.equals(r.key())).count();
    }

    /** The runs's records on the DLQ, once there are at least {@code count}. */
    List<ConsumerRecord<String, byte[]>> awaitDeadLetters(String runId, int count) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            found.clear();
            kafka.readCommitted(Topics.DLQ.name()).stream().filter(r -> runId.equals(r.key())).forEach(found::add);
            return found.size() >= count;
        });
        return found;
    }


    @Override
    public void close() {
        app.close();
        producer.close();
    }
}
