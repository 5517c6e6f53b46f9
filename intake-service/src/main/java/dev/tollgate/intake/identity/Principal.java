package dev.tollgate.intake.identity;

import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import java.util.List;

/**
 * The authenticated caller of a request: who it is, what kind, which tenant, which roles. The tenant of
 * everything a request does comes from here, never from the request body.
 */
public record Principal(String principalId, String name, PrincipalKind kind, String tenantId, List<String> roles) {

    public static final String ADMIN_ROLE = "admin";

    public Principal {
        roles = List.copyOf(roles);
    }

    public static Principal of(Identity identity) {
        return new Principal(identity.getPrincipalId(), identity.getName(), identity.getKind(),
                identity.getTenantId(), identity.getRoles());
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }

    /** Agents and services act in runs. */
    public boolean isAgent() {
        return kind == PrincipalKind.AGENT || kind == PrincipalKind.SERVICE;
    }

    public boolean isHuman() {
        return kind == PrincipalKind.HUMAN;
    }
}
