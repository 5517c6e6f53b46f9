package dev.tollgate.intake.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin routes for identities: {@code POST /v1/identities} creates one (the API key is shown once, stored only
 * hashed; an optional {@code publicKey} registers the Ed25519 key the principal signs its own commands with),
 * {@code DELETE /v1/identities/{principalId}} disables one, {@code PUT /v1/identities/{principalId}/public-key}
 * registers or rotates the public key and {@code DELETE /v1/identities/{principalId}/public-key} removes it. Each
 * writes {@code tollgate.identities.v1} and applies the written record to the local index at once, so the next
 * request sees it.
 */
public final class IdentityRoutes implements Feature {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityRoutes.class);

    private final Authenticator auth;
    private final BodyReader bodies;
    private final IdentityIndex identities;
    private final IdentityAdmin identityAdmin;

    public IdentityRoutes(Authenticator auth, BodyReader bodies, IdentityIndex identities,
                          IdentityAdmin identityAdmin) {
        this.auth = auth;
        this.bodies = bodies;
        this.identities = identities;
        this.identityAdmin = identityAdmin;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.post("/v1/identities", this::createIdentity);
        config.routes.delete("/v1/identities/{principalId}", this::disableIdentity);
        config.routes.put("/v1/identities/{principalId}/public-key", this::setPublicKey);
        config.routes.delete("/v1/identities/{principalId}/public-key", this::removePublicKey);
    }

    private void createIdentity(Context ctx) {
        Principal admin = auth.admin(ctx);
        JsonBody body = bodies.json(ctx);
        String name = body.requiredString("name", 128);
        PrincipalKind kind = switch (body.requiredString("kind", 16).toLowerCase(Locale.ROOT)) {
            case "agent" -> PrincipalKind.AGENT;
            case "human" -> PrincipalKind.HUMAN;
            case "service" -> PrincipalKind.SERVICE;
            default -> throw ApiException.fieldInvalid("kind", "must be agent, human or service");
        };
        String tenant = body.requiredIdent("tenant");
        List<String> roles = body.identList("roles", 32);
        String publicKey = publicKey(body, false);
        IdentityAdmin.Created created = identityAdmin.create(name, kind, tenant, roles, publicKey);
        identities.apply(created.identity(), created.offset());
        LOG.info("identity {} created in tenant {} by {}", created.principalId(), tenant, admin.principalId());
        ObjectNode answer = Answers.JSON.objectNode()
                .put("principalId", created.principalId())
                .put("apiKey", created.apiKey())
                .put("name", name)
                .put("kind", kind.name().toLowerCase(Locale.ROOT))
                .put("tenant", tenant);
        roles.forEach(answer.putArray("roles")::add);
        if (publicKey != null) {
            answer.put("publicKeyId", PublicKeys.keyId(publicKey));
        }
        Answers.json(ctx, 201, answer);
    }

    /** The body's {@code publicKey}, normalized; null when absent and not required. */
    private static String publicKey(JsonBody body, boolean required) {
        Optional<String> given = required
                ? Optional.of(body.requiredString("publicKey", PublicKeys.MAX_LENGTH))
                : body.optionalString("publicKey", PublicKeys.MAX_LENGTH);
        try {
            return given.map(PublicKeys::normalize).orElse(null);
        } catch (IllegalArgumentException e) {
            throw ApiException.fieldInvalid("publicKey", e.getMessage());
        }
    }

    private void setPublicKey(Context ctx) {
        Principal admin = auth.admin(ctx);
        JsonBody body = bodies.json(ctx);
        Identity current = existing(ctx);
        String publicKey = publicKey(body, true);
        String keyId = PublicKeys.keyId(publicKey);
        if (!publicKey.equals(current.getPublicKey())) {
            IdentityAdmin.Written written = identityAdmin.setPublicKey(current, publicKey);
            identities.apply(written.identity(), written.offset());
            LOG.info("public key {} registered for identity {} by {}", keyId, current.getPrincipalId(),
                    admin.principalId());
        }
        Answers.json(ctx, 200, Answers.JSON.objectNode().put("principalId", current.getPrincipalId())
                .put("publicKeyId", keyId));
    }

    private void removePublicKey(Context ctx) {
        Principal admin = auth.admin(ctx);
        Identity current = existing(ctx);
        if (current.getPublicKey() != null) {
            IdentityAdmin.Written written = identityAdmin.setPublicKey(current, null);
            identities.apply(written.identity(), written.offset());
            LOG.info("public key of identity {} removed by {}", current.getPrincipalId(), admin.principalId());
        }
        Answers.json(ctx, 200, Answers.JSON.objectNode().put("principalId", current.getPrincipalId())
                .putNull("publicKeyId"));
    }

    private Identity existing(Context ctx) {
        return identities.byPrincipalId(ctx.pathParam("principalId"))
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such identity"));
    }

    private void disableIdentity(Context ctx) {
        Principal admin = auth.admin(ctx);
        String principalId = ctx.pathParam("principalId");
        Identity current = existing(ctx);
        if (current.getEnabled()) {
            IdentityAdmin.Written written = identityAdmin.disable(current);
            identities.apply(written.identity(), written.offset());
            LOG.info("identity {} disabled by {}", principalId, admin.principalId());
        }
        Answers.json(ctx, 200, Answers.JSON.objectNode().put("principalId", principalId).put("enabled", false));
    }
}
