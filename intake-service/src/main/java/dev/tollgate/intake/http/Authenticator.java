package dev.tollgate.intake.http;

import dev.tollgate.events.Identity;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.Principal;
import io.javalin.http.Context;

/**
 * Who is calling: the bearer API key of a request, looked up (by its hash) in the identity index read from
 * {@code tollgate.identities.v1}, then rate limited per principal. A missing, malformed, unknown or disabled key
 * is {@code UNAUTHENTICATED} with a {@code WWW-Authenticate} challenge; the wrong kind of principal for a route is
 * {@code FORBIDDEN}. The principal is cached on the request, so a route may ask more than once.
 */
public final class Authenticator {

    private static final String PRINCIPAL = "tollgate.principal";

    private final IdentityIndex identities;
    private final RateLimiter rateLimiter;

    public Authenticator(IdentityIndex identities, RateLimiter rateLimiter) {
        this.identities = identities;
        this.rateLimiter = rateLimiter;
    }

    /** Any enabled principal. */
    public Principal authenticate(Context ctx) {
        Principal cached = ctx.attribute(PRINCIPAL);
        if (cached != null) {
            return cached;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthenticated(ctx, "an API key is required: Authorization: Bearer <api key>");
        }
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated(ctx, "the Authorization scheme must be Bearer");
        }
        String key = header.substring(7).trim();
        if (!ApiKeys.wellFormed(key)) {
            throw unauthenticated(ctx, "the API key is not valid");
        }
        Identity identity = identities.byApiKey(key)
                .orElseThrow(() -> unauthenticated(ctx, "the API key is not valid"));
        if (!identity.getEnabled()) {
            throw unauthenticated(ctx, "the identity is disabled");
        }
        Principal principal = Principal.of(identity);
        if (!rateLimiter.tryAcquire(principal.principalId())) {
            throw ApiException.retryLater(ErrorCode.RATE_LIMITED, "too many requests",
                    rateLimiter.retryAfterSeconds());
        }
        ctx.attribute(PRINCIPAL, principal);
        return principal;
    }

    /** A principal with the admin role. */
    public Principal admin(Context ctx) {
        Principal principal = authenticate(ctx);
        if (!principal.isAdmin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this route needs the admin role");
        }
        return principal;
    }

    /** An agent or service principal. */
    public Principal agent(Context ctx) {
        Principal principal = authenticate(ctx);
        if (!principal.isAgent()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this route is for agent and service principals");
        }
        return principal;
    }

    /** A human principal. */
    public Principal human(Context ctx) {
        Principal principal = authenticate(ctx);
        if (!principal.isHuman()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "approvals are decided by human principals");
        }
        return principal;
    }

    private static ApiException unauthenticated(Context ctx, String message) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"tollgate\"");
        return new ApiException(ErrorCode.UNAUTHENTICATED, message);
    }
}
