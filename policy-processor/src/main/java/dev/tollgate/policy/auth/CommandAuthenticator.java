package dev.tollgate.policy.auth;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.Proof;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Attributes a command to its producer before anything decides it, from the command's {@code proof} and
 * {@code tollgate.identities.v1} (the processor's identity store), and nothing else: the envelope's
 * {@code principalId} and {@code tenantId} are claims until checked here. Accepted proofs:
 * <ul>
 *   <li>{@code hmac-sha256} with a key of the intake service ring: intake authenticated the principal (its API key)
 *   and signs on its behalf;</li>
 *   <li>{@code ed25519} by the envelope's own principal, with the public key registered on its identity (direct
 *   Kafka producers).</li>
 * </ul>
 * Then the principal must be a known identity of the envelope's tenant, and {@code issuedAt} within the configured
 * skew of the record's timestamp (the broker's append time on {@code tollgate.commands.v1}). Failures carry the
 * stable codes COMMAND_UNAUTHENTICATED, PRINCIPAL_MISMATCH, IDENTITY_UNKNOWN, IDENTITY_DISABLED, TENANT_MISMATCH,
 * CLOCK_SKEW. Pure: no Kafka, no clock.
 */
public final class CommandAuthenticator {

    /** The principal of an attempt whose producer could not be established. */
    public static final String UNAUTHENTICATED = "unauthenticated";

    /** The default largest distance between a command's issuedAt and its record's timestamp. */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(5);

    private final KeyRing intakeKeys;
    private final Duration maxSkew;

    /**
     * @param intakeKeys the intake service ring (HMAC proofs), or null when no intake signs for this processor
     * @param maxSkew    the largest accepted |issuedAt - record timestamp|
     */
    public CommandAuthenticator(KeyRing intakeKeys, Duration maxSkew) {
        this.intakeKeys = intakeKeys;
        this.maxSkew = maxSkew;
    }

    /**
     * Why a command cannot be attributed.
     *
     * @param reason the stable code and message
     * @param actor  who the attempt is attributed to: the principal whose signature did verify, or
     *               {@value #UNAUTHENTICATED}
     */
    public record Failure(Reason reason, String actor) {
    }

    /**
     * Whether intake attested the command: an {@code hmac-sha256} proof that verifies with the intake service ring.
     * Intake signs only for a principal it authenticated, so such a principal exists even when this processor's copy
     * of the identities has not caught up yet.
     */
    public boolean attestedByIntake(Command command) {
        Proof proof = command.getProof();
        return proof != null && Proofs.HMAC.equals(proof.getScheme()) && intakeKeys != null
                && Proofs.verifyHmac(command, intakeKeys);
    }

    /** Empty when the command is attributed to its envelope's principal and tenant; else why not. */
    public Optional<Failure> check(Command command, Instant recordTime, PolicyContext context) {
        Proof proof = command.getProof();
        if (proof == null) {
            return fail(ReasonCode.COMMAND_UNAUTHENTICATED, "the command carries no proof of its producer",
                    UNAUTHENTICATED);
        }
        String principalId = command.getPrincipalId();
        if (Proofs.HMAC.equals(proof.getScheme())) {
            if (intakeKeys == null || !Proofs.verifyHmac(command, intakeKeys)) {
                return fail(ReasonCode.COMMAND_UNAUTHENTICATED, "the service MAC (key " + proof.getKeyId()
                        + ") does not verify", UNAUTHENTICATED);
            }
        } else if (Proofs.ED25519.equals(proof.getScheme())) {
            Optional<Identity> signer = context.identity(proof.getSignerId());
            PublicKey key = signer.map(Identity::getPublicKey).flatMap(CommandAuthenticator::decode).orElse(null);
            if (key == null) {
                return fail(ReasonCode.COMMAND_UNAUTHENTICATED, "signer " + proof.getSignerId()
                        + " has no registered public key", UNAUTHENTICATED);
            }
            if (!Proofs.verifyEd25519(command, key)) {
                return fail(ReasonCode.COMMAND_UNAUTHENTICATED, "the signature does not verify with the key of "
                        + proof.getSignerId(), UNAUTHENTICATED);
            }
            if (!proof.getSignerId().equals(principalId)) {
                return fail(ReasonCode.PRINCIPAL_MISMATCH, "signed by " + proof.getSignerId() + ", not by "
                        + principalId, proof.getSignerId());
            }
            if (!signer.get().getEnabled()) {
                return fail(ReasonCode.IDENTITY_DISABLED, "principal " + principalId + " is disabled", principalId);
            }
        } else {
            return fail(ReasonCode.COMMAND_UNAUTHENTICATED, "unknown proof scheme " + proof.getScheme(),
                    UNAUTHENTICATED);
        }
        Optional<Identity> identity = context.identity(principalId);
        if (identity.isEmpty()) {
            return fail(ReasonCode.IDENTITY_UNKNOWN, "principal " + principalId + " is not a known identity",
                    principalId);
        }
        if (!identity.get().getTenantId().equals(command.getTenantId())) {
            return fail(ReasonCode.TENANT_MISMATCH, "principal " + principalId + " is not in tenant "
                    + command.getTenantId(), principalId);
        }
        // Duration.abs() negates through BigDecimal arithmetic: measurable on every command, so compare millis.
        long skewMillis = Math.abs(command.getIssuedAt().toEpochMilli() - recordTime.toEpochMilli());
        if (skewMillis > maxSkew.toMillis()) {
            return fail(ReasonCode.CLOCK_SKEW, "issuedAt " + command.getIssuedAt() + " is " + skewMillis
                    + " ms from the record's timestamp " + recordTime + " (at most " + maxSkew.toMillis() + ")",
                    principalId);
        }
        return Optional.empty();
    }

    private static Optional<PublicKey> decode(String base64) {
        if (base64 == null || base64.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Proofs.publicKey(base64));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Failure> fail(ReasonCode code, String message, String actor) {
        return Optional.of(new Failure(Reasons.of(code, "authentication", message), actor));
    }
}
