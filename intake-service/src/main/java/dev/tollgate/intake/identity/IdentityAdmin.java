package dev.tollgate.intake.identity;

import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Topics;
import dev.tollgate.intake.kafka.Publisher;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Creates and disables identities and sets their Ed25519 public keys by writing {@code tollgate.identities.v1}
 * (keyed by principalId). Used by {@code POST/DELETE /v1/identities}, {@code PUT/DELETE
 * /v1/identities/{principalId}/public-key}, by the bootstrap admin at start and by {@code tollgate identity}.
 */
public final class IdentityAdmin {

    /** Principal id (and name) of the admin configured by {@code TOLLGATE_ADMIN_KEY}. */
    public static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
    /** Tenant of the bootstrap admin. */
    public static final String SYSTEM_TENANT = "system";

    /** A created identity and its key; the key is shown to the caller once and never stored. */
    public record Created(Identity identity, String apiKey, long offset) {
        public String principalId() {
            return identity.getPrincipalId();
        }
    }

    private final Publisher publisher;
    private final Clock clock;

    public IdentityAdmin(Publisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Creates an identity with a fresh principal id and API key, and no public key. */
    public Created create(String name, PrincipalKind kind, String tenantId, List<String> roles) {
        return create(name, kind, tenantId, roles, null);
    }

    /**
     * Creates an identity with a fresh principal id and API key.
     *
     * @param publicKey the Base64 X.509 Ed25519 public key the principal signs its own commands with (see
     *                  {@link PublicKeys#normalize(String)}), or null for none
     */
    public Created create(String name, PrincipalKind kind, String tenantId, List<String> roles, String publicKey) {
        String apiKey = ApiKeys.generate();
        Instant now = clock.instant();
        Identity identity = Identity.newBuilder()
                .setPrincipalId(UUID.randomUUID().toString())
                .setName(name)
                .setKind(kind)
                .setTenantId(tenantId)
                .setRoles(List.copyOf(roles))
                .setApiKeySha256(ApiKeys.sha256(apiKey))
                .setEnabled(true)
                .setCreatedAt(now)
                .setUpdatedAt(now)
                .setPublicKey(publicKey)
                .build();
        RecordMetadata written = publisher.publish(Topics.IDENTITIES, identity.getPrincipalId(), identity);
        return new Created(identity, apiKey, written.offset());
    }

    /** An identity as written, at its offset of the identities topic. */
    public record Written(Identity identity, long offset) {
    }

    /** Writes {@code current} disabled. */
    public Written disable(Identity current) {
        Identity disabled = Identity.newBuilder(current).setEnabled(false).setUpdatedAt(clock.instant()).build();
        long offset = publisher.publish(Topics.IDENTITIES, disabled.getPrincipalId(), disabled).offset();
        return new Written(disabled, offset);
    }

    /**
     * Writes {@code current} with {@code publicKey} (Base64 X.509 Ed25519, normalized) as its key, or without a key
     * when null. From the processor's next read of the identity on, only commands signed with the new key verify.
     */
    public Written setPublicKey(Identity current, String publicKey) {
        Identity changed = Identity.newBuilder(current).setPublicKey(publicKey).setUpdatedAt(clock.instant()).build();
        long offset = publisher.publish(Topics.IDENTITIES, changed.getPrincipalId(), changed).offset();
        return new Written(changed, offset);
    }

    /**
     * Upserts the bootstrap admin ({@code bootstrap-admin}, kind SERVICE, tenant {@code system}, role admin) for a
     * configured key. The configured key is authoritative: the identity is written enabled with its digest.
     */
    public Optional<Written> upsertBootstrapAdmin(String apiKey, Identity existing) {
        Instant now = clock.instant();
        Identity admin = Identity.newBuilder()
                .setPrincipalId(BOOTSTRAP_ADMIN)
                .setName(BOOTSTRAP_ADMIN)
                .setKind(PrincipalKind.SERVICE)
                .setTenantId(SYSTEM_TENANT)
                .setRoles(List.of(Principal.ADMIN_ROLE))
                .setApiKeySha256(ApiKeys.sha256(apiKey))
                .setEnabled(true)
                .setCreatedAt(existing == null ? now : existing.getCreatedAt())
                .setUpdatedAt(now)
                .build();
        if (existing != null && existing.getEnabled() && existing.getApiKeySha256().equals(admin.getApiKeySha256())
                && existing.getRoles().contains(Principal.ADMIN_ROLE)) {
            return Optional.empty();
        }
        return Optional.of(new Written(admin, publisher.publish(Topics.IDENTITIES, BOOTSTRAP_ADMIN, admin).offset()));
    }
}
