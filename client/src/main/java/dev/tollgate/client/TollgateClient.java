package dev.tollgate.client;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.KillRun;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces signed commands to {@code tollgate.commands.v1} for one principal: the Kafka path for producers of run
 * requests (and of every other command) that do not go through intake's HTTP API. Each command is built and signed
 * by a {@link CommandSigner} with the principal's Ed25519 {@link SigningKey}, keyed by its runId (so a run's
 * commands stay in order on one partition) and written in Confluent's wire format (magic byte, schema id, Avro
 * binary; subject {@code tollgate.commands.v1-value} in the schema registry), with a {@code traceparent} record
 * header when the command carries one. The producer is idempotent with {@code acks=all}; each send waits for the
 * broker's acknowledgement.
 *
 * <p>What becomes of a command is on {@code tollgate.ledger.v1} (keyed by runId): {@code RunAdmitted} or
 * {@code RunRejected} for a run request, a decision for a tool call, {@code CommandRejected} with
 * COMMAND_UNAUTHENTICATED, PRINCIPAL_MISMATCH, TENANT_MISMATCH or CLOCK_SKEW for a command the processor cannot
 * attribute. A command for a run that was never requested goes to {@code tollgate.dlq.v1} ({@code RUN_NOT_ACTIVE}).
 *
 * <pre>{@code
 * try (TollgateClient client = TollgateClient.builder()
 *         .bootstrapServers("localhost:9092").schemaRegistryUrl("http://localhost:8081")
 *         .principal(principalId, "acme").signingKey(key).build()) {
 *     String runId = client.newRunId();
 *     client.requestRun(runId, RequestRun.newBuilder().setWorkflow("support-triage")
 *             .setEnvironment("staging").setClassification("Internal").build());
 *     client.requestToolCall(runId, "c1", "search_docs", "{\"q\":\"refund policy\"}");
 * }
 * }</pre>
 * Thread-safe: one client may be shared by the threads of a principal.
 */
public final class TollgateClient implements AutoCloseable {

    private final CommandSigner signer;
    private final Producer<String, Command> producer;
    private final Duration sendTimeout;

    private TollgateClient(CommandSigner signer, Producer<String, Command> producer, Duration sendTimeout) {
        this.signer = signer;
        this.producer = producer;
        this.sendTimeout = sendTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where a command was written. */
    public record Sent(String commandId, String runId, int partition, long offset) {
    }

    /** The signer of this client's commands (to build a command without sending it). */
    public CommandSigner signer() {
        return signer;
    }

    /** A fresh run id (a random UUID): the key every command of the new run is produced under. */
    public String newRunId() {
        return UUID.randomUUID().toString();
    }

    /** Asks to start run {@code runId}; the answer is the run's first ledger event. */
    public Sent requestRun(String runId, RequestRun request) {
        return send(runId, request);
    }

    /** Asks to call {@code tool} with {@code argsJson} (a JSON object as text) in the run. */
    public Sent requestToolCall(String runId, String callId, String tool, String argsJson) {
        return send(runId, RequestToolCall.newBuilder().setCallId(callId).setTool(tool).setArgsJson(argsJson)
                .build());
    }

    public Sent reportUsage(String runId, String model, long inputTokens, long outputTokens) {
        return send(runId, ReportUsage.newBuilder().setModel(model).setInputTokens(inputTokens)
                .setOutputTokens(outputTokens).build());
    }

    public Sent submitArtifact(String runId, SubmitArtifact artifact) {
        return send(runId, artifact);
    }

    public Sent completeStage(String runId, String stage) {
        return send(runId, CompleteStage.newBuilder().setStage(stage).build());
    }

    /** Finishes the run; {@code summary} may be null. */
    public Sent finishRun(String runId, String outcome, String summary) {
        return send(runId, FinishRun.newBuilder().setOutcome(outcome).setSummary(summary).build());
    }

    /**
     * Decides a held call of the run. The processor accepts it only from an enabled human principal of the run's
     * tenant holding one of the call's approver roles, never from the call's requester.
     */
    public Sent decideApproval(String runId, String callId, ApprovalDecision decision, String reason) {
        return send(runId, DecideApproval.newBuilder().setCallId(callId).setDecision(decision)
                .setReason(reason == null ? "" : reason).build());
    }

    public Sent killRun(String runId, String reason) {
        return send(runId, KillRun.newBuilder().setReason(reason == null ? "" : reason).build());
    }

    /** Signs {@code payload} (any command payload) for the run with a fresh command id and produces it. */
    public Sent send(String runId, SpecificRecord payload) {
        return send(signer.sign(runId, payload));
    }

    /**
     * Produces a command as given (e.g. one built with {@link #signer()} and a chosen command id), keyed by its
     * runId, and waits for the broker's acknowledgement.
     *
     * @throws TollgateClientException when the broker does not acknowledge it within the send timeout
     */
    public Sent send(Command command) {
        ProducerRecord<String, Command> record = new ProducerRecord<>(Topics.COMMANDS.name(), command.getRunId(),
                command);
        if (command.getTraceparent() != null) {
            record.headers().add(Tracing.TRACEPARENT, command.getTraceparent().getBytes(StandardCharsets.UTF_8));
        }
        try {
            RecordMetadata written = producer.send(record).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Sent(command.getCommandId(), command.getRunId(), written.partition(), written.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TollgateClientException("interrupted while producing command " + command.getCommandId(), e);
        } catch (ExecutionException e) {
            throw new TollgateClientException("cannot produce command " + command.getCommandId() + " to "
                    + Topics.COMMANDS.name() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new TollgateClientException("no acknowledgement for command " + command.getCommandId() + " from "
                    + Topics.COMMANDS.name() + " within " + sendTimeout.toMillis() + " ms", e);
        } catch (RuntimeException e) {
            throw new TollgateClientException("cannot produce command " + command.getCommandId() + " to "
                    + Topics.COMMANDS.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /**
     * Configures a {@link TollgateClient}. Required: {@link #bootstrapServers}, {@link #schemaRegistryUrl},
     * {@link #principal} and {@link #signingKey}. Kafka security settings (SASL, TLS) go in
     * {@link #kafkaProperty}.
     */
    public static final class Builder {

        private String bootstrapServers;
        private String schemaRegistryUrl;
        private String principalId;
        private String tenantId;
        private SigningKey key;
        private Clock clock = Clock.systemUTC();
        private Duration sendTimeout = Duration.ofSeconds(30);
        private final Map<String, Object> kafka = new HashMap<>();

        private Builder() {
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** A registry that speaks the Confluent Schema Registry REST API (the embedded one of tollgate dev, too). */
        public Builder schemaRegistryUrl(String schemaRegistryUrl) {
            this.schemaRegistryUrl = schemaRegistryUrl;
            return this;
        }

        /** The principal the commands are from, and its tenant, as its identity was created. */
        public Builder principal(String principalId, String tenantId) {
            this.principalId = principalId;
            this.tenantId = tenantId;
            return this;
        }

        /** The key pair whose public half is registered on the principal's identity. */
        public Builder signingKey(SigningKey key) {
            this.key = key;
            return this;
        }

        /** The clock {@code issuedAt} is read from (default: the system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long a send waits for the broker's acknowledgement (default 30 s). */
        public Builder sendTimeout(Duration sendTimeout) {
            if (sendTimeout == null || sendTimeout.isNegative() || sendTimeout.isZero()) {
                throw new IllegalArgumentException("sendTimeout must be positive");
            }
            this.sendTimeout = sendTimeout;
            return this;
        }

        /** A Kafka producer setting, e.g. {@code security.protocol} or {@code sasl.jaas.config}. */
        public Builder kafkaProperty(String name, Object value) {
            kafka.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** Several Kafka producer settings at once. */
        public Builder kafkaProperties(Map<String, ?> properties) {
            properties.forEach(this::kafkaProperty);
            return this;
        }

        /** The client; its producer connects lazily, on the first send. */
        public TollgateClient build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required");
            }
            if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
                throw new IllegalArgumentException("schemaRegistryUrl is required");
            }
            if (key == null) {
                throw new IllegalArgumentException("signingKey is required");
            }
            CommandSigner signer = new CommandSigner(principalId, tenantId, key, clock);
            TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(schemaRegistryUrl));
            Map<String, Object> config = new HashMap<>(kafka);
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-client-" + signer.principalId());
            config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeout.toMillis());
            Producer<String, Command> producer = new KafkaProducer<>(config, new StringSerializer(),
                    serdes.value(Topics.COMMANDS).serializer());
            return new TollgateClient(signer, producer, sendTimeout);
        }
    }
}
