package dev.tollgate.intake.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.intake.identity.PublicKeys;
import java.util.Locale;

/**
 * The JSON shapes of the admin read views, shared by {@code GET /v1/identities}, {@code GET /v1/kill-switches},
 * {@code GET /v1/policies[/{name}/versions]} and their CLI twins ({@code tollgate identity list}, {@code kill list},
 * {@code policy list}), so both print the same objects. An identity's key digest is never shown.
 */
public final class AdminJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AdminJson() {
    }

    public static ObjectNode identity(Identity identity) {
        ObjectNode node = JSON.objectNode()
                .put("principalId", identity.getPrincipalId())
                .put("name", identity.getName())
                .put("kind", identity.getKind().name().toLowerCase(Locale.ROOT))
                .put("tenant", identity.getTenantId());
        identity.getRoles().forEach(node.putArray("roles")::add);
        if (identity.getPublicKey() != null) {
            node.put("publicKeyId", PublicKeys.keyIdOrInvalid(identity.getPublicKey()));
        }
        return node.put("enabled", identity.getEnabled())
                .put("createdAt", String.valueOf(identity.getCreatedAt()))
                .put("updatedAt", String.valueOf(identity.getUpdatedAt()));
    }

    public static ObjectNode killSwitch(KillSwitch value) {
        return JSON.objectNode()
                .put("key", KillSwitchAdmin.key(value.getScope(), value.getTarget()))
                .put("scope", value.getScope().name().toLowerCase(Locale.ROOT))
                .put("target", value.getTarget())
                .put("engaged", value.getEngaged())
                .put("reason", value.getReason())
                .put("updatedAt", String.valueOf(value.getUpdatedAt()))
                .put("updatedBy", value.getUpdatedBy());
    }

    /** A policy version without its YAML (which {@code ?yaml=true} on the versions route adds). */
    public static ObjectNode policy(PolicyBundle bundle) {
        return JSON.objectNode()
                .put("name", bundle.getName())
                .put("version", bundle.getVersion())
                .put("sha256", bundle.getSha256())
                .put("publishedAt", String.valueOf(bundle.getPublishedAt()))
                .put("publishedBy", bundle.getPublishedBy());
    }
}
