package dev.tollgate.intake.console;

import dev.tollgate.intake.identity.Principal;

/**
 * Decides a held call for a person signed in to the console, addressed by run and call, with the same checks and
 * the same {@code DecideApproval} command as the HTTP approval route: the call must be held in the person's tenant
 * and still pending, the person must hold one of the approver roles and must not be the run's principal.
 */
@FunctionalInterface
public interface ConsoleApprovals {

    /** What became of a decision. {@code accepted} means the command is durable on the command topic. */
    record Outcome(boolean accepted, int status, String message) {

        static Outcome accepted(String message) {
            return new Outcome(true, 202, message);
        }

        static Outcome refused(int status, String message) {
            return new Outcome(false, status, message);
        }
    }

    Outcome decide(Principal person, String runId, String callId, boolean approve, String reason);
}
