package dev.tollgate.projector.api;

import java.util.List;

/** The authenticated caller: an enabled identity of tollgate.identities.v1. */
record Principal(String principalId, String tenantId, List<String> roles) {

    boolean admin() {
        return roles.contains("admin");
    }

    /** Whether this principal may see data of {@code tenantId}: its own tenant, or any tenant for an admin. */
    boolean sees(String tenantId) {
        return admin() || this.tenantId.equals(tenantId);
    }
}
