package dev.tollgate.policy.engine;

import java.time.Duration;
import java.util.List;

/**
 * The approval a {@code require_approval} rule asks for.
 *
 * @param roles     roles of which an approver must hold one
 * @param expiresIn how long the held call waits, from the command's issuedAt
 */
public record Approval(List<String> roles, Duration expiresIn) {

    public Approval {
        roles = List.copyOf(roles);
    }
}
