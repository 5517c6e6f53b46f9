package dev.tollgate.intake.console;

import java.util.List;

/**
 * What the console's templates ({@code src/main/jte/console}) render: plain values, already formatted for people.
 * Public only because the precompiled templates live in their own package; nothing else uses these types.
 */
public final class ConsoleViews {

    private ConsoleViews() {
    }

    /** The frame of every signed-in page: who is signed in, the CSRF token of its forms, and the active section. */
    public record Frame(String title, String userName, String principalId, String tenantId, String roles,
                        boolean admin, String csrf, String section, String notice, String problem) {
    }

    /** The sign-in page. */
    public record SignIn(String csrf, String problem, String notice) {
    }

    /** An error page for a signed-in person. */
    public record ErrorPage(int status, String message) {
    }

    /** One held call in the inbox. */
    public record HeldItem(String callId, String runId, String agent, String tool, String args, String rules,
                           String requestedAt, String expiresAt, String timeLeft, boolean mayDecide,
                           String whyNot) {
    }

    /** The approvals inbox. */
    public record Inbox(List<HeldItem> items, String problem) {
    }

    /** One run in the runs list. */
    public record RunRow(String runId, String workflow, String environment, String status, String agent,
                         String policyVersion, long events, String spend, String startedAt) {
    }

    /** The runs list and its filters. */
    public record Runs(List<RunRow> rows, String status, String workflow, String agent, String since,
                       String problem, String nextCursor) {
    }

    /** One ledger event of a run's timeline. */
    public record TimelineRow(long seq, String type, String occurredAt, String principal, String policyVersion,
                              String reasons, String receipt, String detail, String hash) {
    }

    /** One line of spend against budget. */
    public record Budget(String what, String used, String limit, int percent) {
    }

    /** A run's page: its view, spend against budget, the verification and the timeline. */
    public record RunPage(String runId, String workflow, String environment, String classification, String status,
                          String haltReason, String agent, String tenantId, String policyVersion, String stage,
                          List<Budget> budgets, String counters, boolean verified, boolean valid,
                          String verification, String headHash, List<TimelineRow> timeline, String problem) {
    }

    /** One identity on the admin page. */
    public record IdentityRow(String principalId, String name, String kind, String tenantId, String roles,
                              boolean enabled) {
    }

    /** The identities admin page; {@code createdKey} is shown once, right after creation. */
    public record Identities(List<IdentityRow> rows, String createdName, String createdKey) {
    }

    /** One kill switch. */
    public record KillSwitchRow(String key, String scope, String target, boolean engaged, String reason,
                                String updatedAt, String updatedBy) {
    }

    /** The kill switches admin page. */
    public record KillSwitches(List<KillSwitchRow> rows) {
    }

    /** One published policy version. */
    public record PolicyRow(String name, String version, String sha256, String publishedAt, String publishedBy,
                            boolean current) {
    }

    /** The policies admin page, with one version's YAML when viewing it. */
    public record Policies(List<PolicyRow> rows, String viewName, String viewVersion, String viewYaml) {
    }
}
