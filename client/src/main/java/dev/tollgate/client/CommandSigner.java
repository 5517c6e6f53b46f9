package dev.tollgate.client;

import dev.tollgate.events.Command;
import dev.tollgate.events.auth.Proofs;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds a {@link Command} envelope for one principal and signs it with that principal's {@link SigningKey}: an
 * {@code ed25519} proof over the command's canonical form ({@code dev.tollgate.events.auth.CanonicalForm}), signer
 * and envelope principal the same. The policy-processor verifies it against the public key registered on the
 * principal's identity ({@code tollgate.identities.v1}) before deciding anything, and checks that the envelope's
 * tenant is the identity's and that {@code issuedAt} is within its allowed skew (5 minutes by default) of the
 * record's timestamp: so sign just before producing, with a correct clock. Any change to a signed command (a
 * field, the payload) makes it fail verification. Pure: no Kafka; {@link TollgateClient} produces what this signs.
 */
public final class CommandSigner {

    private static final Set<String> PAYLOADS = Command.getClassSchema().getField("payload").schema().getTypes()
            .stream().map(Schema::getFullName).collect(Collectors.toUnmodifiableSet());

    private final String principalId;
    private final String tenantId;
    private final SigningKey key;
    private final Clock clock;

    /**
     * @param principalId the principal the identity was created as (its {@code principalId})
     * @param tenantId    the identity's tenant
     * @param key         the key pair whose public half is registered on the identity
     * @param clock       the clock {@code issuedAt} is read from
     */
    public CommandSigner(String principalId, String tenantId, SigningKey key, Clock clock) {
        this.principalId = requireText(principalId, "principalId");
        this.tenantId = requireText(tenantId, "tenantId");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String principalId() {
        return principalId;
    }

    public String tenantId() {
        return tenantId;
    }

    /** A signed command with a fresh random command id and no trace context. */
    public Command sign(String runId, SpecificRecord payload) {
        return sign(UUID.randomUUID().toString(), runId, payload, null);
    }

    /**
     * A signed command.
     *
     * @param commandId   the idempotency key: the processor gives a command id it has processed for the run no second
     *                    effect, so a retry of the same intent reuses it
     * @param runId       the run (and the record key)
     * @param payload     one of the command payloads ({@code RequestRun}, {@code RequestToolCall}, {@code ReportUsage},
     *                    {@code SubmitArtifact}, {@code CompleteStage}, {@code FinishRun}, {@code DecideApproval},
     *                    {@code KillRun})
     * @param traceparent a W3C trace context for the envelope, or null
     * @throws IllegalArgumentException for a blank id or a payload the command union does not hold
     */
    public Command sign(String commandId, String runId, SpecificRecord payload, String traceparent) {
        Objects.requireNonNull(payload, "payload");
        if (!PAYLOADS.contains(payload.getSchema().getFullName())) {
            throw new IllegalArgumentException(payload.getSchema().getName() + " is not a command payload; one of "
                    + PAYLOADS.stream().sorted().map(n -> n.substring(n.lastIndexOf('.') + 1))
                    .collect(Collectors.joining(", ")));
        }
        Command command = Command.newBuilder()
                .setCommandId(requireText(commandId, "commandId"))
                .setRunId(requireText(runId, "runId"))
                .setTenantId(tenantId)
                .setPrincipalId(principalId)
                .setIssuedAt(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS))
                .setTraceparent(traceparent)
                .setPayload(payload)
                .build();
        return Proofs.signEd25519(command, key.privateKey(), key.publicKey(), principalId);
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
