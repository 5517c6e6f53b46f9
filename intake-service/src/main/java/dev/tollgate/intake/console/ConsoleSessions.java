package dev.tollgate.intake.console;

import dev.tollgate.events.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in this intake instance's memory only: a random session id (sent to the browser as an
 * HttpOnly cookie, kept here only as its SHA-256) maps to the signed-in principal, the API key it signed in with
 * (so the projector sees the same principal, and never the browser), a CSRF token and an absolute expiry. A
 * restart signs everyone out, which is the safe failure.
 */
final class ConsoleSessions {

    /** One signed-in person. The API key never leaves the server. */
    record Session(String principalId, String apiKey, String csrf, Instant expiresAt) {

        @Override
        public String toString() {
            return "Session[" + principalId + ", expires " + expiresAt + "]";
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> byIdDigest = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration lifetime;
    private final int maxSessions;

    ConsoleSessions(Clock clock, Duration lifetime, int maxSessions) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.maxSessions = maxSessions;
    }

    /** A fresh random token: 256 bits, URL-safe base64. */
    static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether two tokens are equal, in time independent of where they differ. */
    static boolean same(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    Duration lifetime() {
        return lifetime;
    }

    /** Starts a session; returns its id, the cookie value. The oldest sessions go when the bound is reached. */
    String open(String principalId, String apiKey) {
        sweep();
        if (byIdDigest.size() >= maxSessions) {
            byIdDigest.entrySet().stream()
                    .min(Map.Entry.comparingByValue((a, b) -> a.expiresAt().compareTo(b.expiresAt())))
                    .ifPresent(oldest -> byIdDigest.remove(oldest.getKey()));
        }
        String id = token();
        byIdDigest.put(Sha256.hex(id), new Session(principalId, apiKey, token(), clock.instant().plus(lifetime)));
        return id;
    }

    /** The live session of a cookie value; an expired one is forgotten and empty. */
    Optional<Session> find(String id) {
        if (id == null || id.isBlank() || id.length() > 100) {
            return Optional.empty();
        }
        String digest = Sha256.hex(id);
        Session session = byIdDigest.get(digest);
        if (session == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(session.expiresAt())) {
            byIdDigest.remove(digest);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    /** Ends a session (idempotent). */
    void close(String id) {
        if (id != null && id.length() <= 100) {
            byIdDigest.remove(Sha256.hex(id));
        }
    }

    /** Ends every session of a principal, e.g. once it is disabled. */
    void closeAll(String principalId) {
        byIdDigest.values().removeIf(s -> s.principalId().equals(principalId));
    }

    int size() {
        return byIdDigest.size();
    }

    private void sweep() {
        Instant now = clock.instant();
        byIdDigest.values().removeIf(s -> !now.isBefore(s.expiresAt()));
    }
}
