package dev.tollgate.bench;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.serde.TollgateSerdes;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Drives the policy-processor as an agent SDK would: each tick's commands go to {@code tollgate.commands.v1}
 * (keyed by runId, Avro in Confluent's wire format, registered through the schema registry), and an operation is
 * answered by the ledger event whose {@code causationId} is the tick's tool-call command id.
 */
final class GovernedLoad implements Load {

    private final GovernedWorkload workload;
    private final Producer<String, byte[]> producer;
    private final Serializer<Command> commands;
    private final Deserializer<LedgerEvent> ledger;
    private final Callback callback;
    /** Signs each command as intake would; the processor's command.keys.file is the signer's key file. */
    private final IntakeSigner signer;

    GovernedLoad(GovernedWorkload workload, Producer<String, byte[]> producer, TollgateSerdes serdes,
                 IntakeSigner signer) {
        this(workload, producer, serdes, signer, null);
    }

    /** With a callback on every send (fault tests use it to prove the broker acknowledged every command). */
    GovernedLoad(GovernedWorkload workload, Producer<String, byte[]> producer, TollgateSerdes serdes,
                 IntakeSigner signer, Callback callback) {
        this.callback = callback;
        this.signer = signer;
        this.workload = workload;
        this.producer = producer;
        this.commands = serdes.value(Topics.COMMANDS).serializer();
        this.ledger = serdes.value(Topics.LEDGER).deserializer();
    }

    static Properties producerProps(String bootstrap, int lingerMs) {
        Properties props = RawBaseline.producerProps(bootstrap, lingerMs);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-bench-agents");
        return props;
    }

    /** Publishes the workload's identities and, when {@code bundleName} is given, the reference bundle under it. */
    static void seed(Producer<String, byte[]> producer, TollgateSerdes serdes, GovernedWorkload workload,
                     String bundleName) {
        Instant now = Instant.now();
        Serializer<Identity> identities = serdes.value(Topics.IDENTITIES).serializer();
        for (Identity identity : workload.identities(now)) {
            producer.send(new ProducerRecord<>(Topics.IDENTITIES.name(), identity.getPrincipalId(),
                    identities.serialize(Topics.IDENTITIES.name(), identity)));
        }
        if (bundleName != null) {
            Serializer<PolicyBundle> bundles = serdes.value(Topics.POLICIES).serializer();
            producer.send(new ProducerRecord<>(Topics.POLICIES.name(), bundleName, bundles.serialize(
                    Topics.POLICIES.name(), GovernedWorkload.referenceBundle(bundleName, now))));
        }
        producer.flush();
    }

    /** Size in bytes of one serialized, signed tool-call command: what the baselines send. */
    static int commandBytes(TollgateSerdes serdes, GovernedWorkload workload, IntakeSigner signer) {
        Serializer<Command> serializer = serdes.value(Topics.COMMANDS).serializer();
        Command call = signer.sign(workload.commands(1, Instant.now()).get(0));
        return serializer.serialize(Topics.COMMANDS.name(), call).length;
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap, int lingerMs) {
        return new KafkaProducer<>(producerProps(bootstrap, lingerMs));
    }

    @Override
    public void send(int n) {
        for (Command command : workload.commands(n, Instant.now())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), command.getRunId(),
                    commands.serialize(Topics.COMMANDS.name(), signer.sign(command))), callback);
        }
    }

    @Override
    public int answered(ConsumerRecord<String, byte[]> record) {
        if (!workload.ownsRun(record.key())) {
            return -1;
        }
        return workload.tickOf(ledger.deserialize(record.topic(), record.value()).getCausationId());
    }

    @Override
    public void flush() {
        producer.flush();
    }
}
