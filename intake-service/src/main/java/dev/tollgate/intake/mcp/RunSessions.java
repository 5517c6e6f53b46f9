package dev.tollgate.intake.mcp;

import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.RunRejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MCP sessions intake can serve, as a view of {@code tollgate.ledger.v1}: a session is an admitted run (its
 * owner, its granted tools and the policy bundle that granted them) until the run completes or its session is
 * deleted. Because the view is the ledger's, any intake instance that has read the run's admission serves its
 * session. An {@code initialize} registers a waiter for its run's admission before the {@code RequestRun} is
 * produced; the ledger reader completes it with {@code RunAdmitted}, {@code RunRejected} or a {@code CommandRejected}
 * of the request. Bounded: the least recently used sessions are forgotten (their clients get 404 and start anew).
 */
public final class RunSessions {

    /** One session: an admitted run. */
    record Session(String runId, String tenantId, String principalId, List<String> grantedTools,
                   String policyName, String policySha256, boolean closed) {

        Session {
            grantedTools = List.copyOf(grantedTools);
        }

        Session asClosed() {
            return new Session(runId, tenantId, principalId, grantedTools, policyName, policySha256, true);
        }
    }

    /** How a run's admission ended: admitted, or rejected with reasons. */
    record Admission(boolean admitted, List<Reason> reasons) {

        Admission {
            reasons = List.copyOf(reasons);
        }
    }

    private final Map<String, Session> sessions;
    private final Map<String, CompletableFuture<Admission>> admissions = new ConcurrentHashMap<>();

    public RunSessions(int maxEntries) {
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** Applies one ledger event (called by intake's ledger reader). */
    public void onEvent(LedgerEvent event) {
        String runId = event.getRunId();
        Object payload = event.getPayload();
        if (payload instanceof RunAdmitted admitted) {
            synchronized (sessions) {
                sessions.put(runId, new Session(runId, event.getTenantId(), event.getPrincipalId(),
                        admitted.getGrants().getTools(), event.getPolicyName(), event.getPolicySha256(), false));
            }
            complete(runId, new Admission(true, List.of()));
        } else if (payload instanceof RunRejected rejected) {
            complete(runId, new Admission(false, rejected.getReasons()));
        } else if (payload instanceof CommandRejected rejected && "RequestRun".equals(rejected.getCommandType())) {
            complete(runId, new Admission(false, rejected.getReasons()));
        } else if (payload instanceof RunCompleted) {
            close(runId);
        }
    }

    /** Registers a waiter for a run's admission; call before producing its {@code RequestRun}. */
    CompletableFuture<Admission> awaitAdmission(String runId) {
        CompletableFuture<Admission> future = new CompletableFuture<>();
        admissions.put(runId, future);
        future.whenComplete((admission, error) -> admissions.remove(runId, future));
        return future;
    }

    /** The open session of a run, if intake knows it. */
    Optional<Session> session(String runId) {
        synchronized (sessions) {
            return Optional.ofNullable(sessions.get(runId)).filter(s -> !s.closed());
        }
    }

    /** Ends a session here at once (its run finishes when the ledger says so). */
    void close(String runId) {
        synchronized (sessions) {
            sessions.computeIfPresent(runId, (k, s) -> s.asClosed());
        }
    }

    /** Admissions being waited for right now. */
    int waiting() {
        return admissions.size();
    }

    private void complete(String runId, Admission admission) {
        CompletableFuture<Admission> waiter = admissions.get(runId);
        if (waiter != null) {
            waiter.complete(admission);
        }
    }
}
