package dev.tollgate.intake.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.events.Identity;
import dev.tollgate.intake.console.ConsoleRoutes.Person;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.Principal;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the console's views from the projector's answers (with the person's own key) and the identity view:
 * the inbox of held calls the person may decide, the filtered runs list, and a run's page with its timeline,
 * spend against budget and verification. Formats values for people; knows nothing of HTTP.
 */
final class ConsolePages {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Set<String> STATUSES = Set.of("ADMITTED", "REJECTED", "HALTED", "COMPLETED");
    private static final int RUNS_PAGE = 50;
    private static final int RULE_CACHE = 10_000;

    private final ProjectorClient projector;
    private final IdentityIndex identities;
    private final Clock clock;
    private final Map<String, String> rulesByCall = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > RULE_CACHE;
                }
            });

    ConsolePages(ProjectorClient projector, IdentityIndex identities, Clock clock) {
        this.projector = projector;
        this.identities = identities;
        this.clock = clock;
    }

    // ---- inbox --------------------------------------------------------------------------------------------------

    /** The pending approvals of the person's tenant that the person may decide (role, and not their own run). */
    ConsoleViews.Inbox inbox(Person person) {
        Principal p = person.principal();
        JsonNode pending = projector.get(person.session().apiKey(), "/v1/approvals",
                Map.of("status", "pending", "tenant", p.tenantId()));
        List<ConsoleViews.HeldItem> items = new ArrayList<>();
        int others = 0;
        for (JsonNode held : pending) {
            if (!p.tenantId().equals(held.path("tenantId").asText())) {
                continue;
            }
            List<String> roles = new ArrayList<>();
            held.path("approverRoles").forEach(r -> roles.add(r.asText()));
            String requestedBy = held.path("requestedBy").asText();
            boolean roleOk = roles.isEmpty() || roles.stream().anyMatch(p.roles()::contains);
            boolean notOwn = !requestedBy.equals(p.principalId());
            if (!roleOk || !notOwn) {
                others++;
                continue;
            }
            String callId = held.path("callId").asText();
            String runId = held.path("runId").asText();
            items.add(new ConsoleViews.HeldItem(callId, runId, who(requestedBy), held.path("tool").asText(),
                    pretty(held.path("args")), rules(person, runId, callId),
                    time(held.path("requestedAt").asText()), time(held.path("expiresAt").asText()),
                    timeLeft(held.path("expiresAt").asText()), true, null));
        }
        return new ConsoleViews.Inbox(items, others == 0 ? null : others == 1
                ? "1 more held call in your tenant needs a role you do not have, or is your own."
                : others + " more held calls in your tenant need a role you do not have, or are your own.");
    }

    /** The enforced rules that held a call, from its ToolCallHeld event (cached: they never change). */
    private String rules(Person person, String runId, String callId) {
        String key = runId + "/" + callId;
        String known = rulesByCall.get(key);
        if (known != null) {
            return known;
        }
        for (JsonNode event : projector.get(person.session().apiKey(), "/v1/runs/" + runId + "/events")) {
            if ("ToolCallHeld".equals(event.path("type").asText())
                    && callId.equals(event.path("payload").path("callId").asText())) {
                List<String> ids = new ArrayList<>();
                event.path("payload").path("matchedRules").forEach(r -> ids.add(r.asText()));
                String rules = ids.isEmpty() ? "(no rule id recorded)" : String.join(", ", ids);
                rulesByCall.put(key, rules);
                return rules;
            }
        }
        return "(not yet projected)";
    }

    // ---- runs ---------------------------------------------------------------------------------------------------

    /** A page of the tenant's runs, filtered by status (projector-side), workflow, agent and start time. */
    ConsoleViews.Runs runs(Person person, String status, String workflow, String agent, String since,
                           String cursor) {
        String problem = null;
        String statusFilter = blank(status) ? null : status.toUpperCase(Locale.ROOT);
        if (statusFilter != null && !STATUSES.contains(statusFilter)) {
            problem = "Status must be one of admitted, rejected, halted or completed.";
            statusFilter = null;
        }
        Instant sinceTime = null;
        if (!blank(since)) {
            sinceTime = sinceInstant(since.trim());
            if (sinceTime == null) {
                problem = "Started after must be a duration like 30m, 2h or 7d, or a date like 2026-01-31.";
            }
        }
        JsonNode page = projector.get(person.session().apiKey(), "/v1/runs", mapOf("tenant",
                person.principal().tenantId(), "status", statusFilter, "limit", Integer.toString(RUNS_PAGE),
                "cursor", blank(cursor) ? null : cursor));
        List<ConsoleViews.RunRow> rows = new ArrayList<>();
        for (JsonNode run : page.path("runs")) {
            if (!blank(workflow) && !run.path("workflow").asText().equalsIgnoreCase(workflow.trim())) {
                continue;
            }
            String principalId = run.path("principalId").asText();
            if (!blank(agent) && !principalId.equals(agent.trim()) && !who(principalId).toLowerCase(Locale.ROOT)
                    .contains(agent.trim().toLowerCase(Locale.ROOT))) {
                continue;
            }
            String startedAt = "";
            if (sinceTime != null || rows.size() < RUNS_PAGE) {
                JsonNode first = firstEvent(person, run.path("runId").asText());
                startedAt = first == null ? "" : first.path("occurredAt").asText();
                if (sinceTime != null && (first == null || instant(startedAt).isBefore(sinceTime))) {
                    continue;
                }
            }
            rows.add(new ConsoleViews.RunRow(run.path("runId").asText(), run.path("workflow").asText(),
                    run.path("environment").asText(), run.path("status").asText(), who(principalId),
                    run.path("policyVersion").asText(), run.path("lastSeq").asLong(),
                    money(run.path("spend").path("costMicros").asLong()) + " · "
                            + run.path("spend").path("tokens").asLong() + " tokens", time(startedAt)));
        }
        return new ConsoleViews.Runs(rows, statusFilter == null ? "" : statusFilter.toLowerCase(Locale.ROOT),
                nz(workflow), nz(agent), nz(since), problem, page.path("nextCursor").asText(null));
    }

    private JsonNode firstEvent(Person person, String runId) {
        JsonNode events = projector.get(person.session().apiKey(), "/v1/runs/" + runId + "/events");
        return events.size() == 0 ? null : events.get(0);
    }

    /** What changes when a run changes: its last seq and status (cheap to read once a second). */
    String runVersion(Person person, String runId) {
        JsonNode run = projector.get(person.session().apiKey(), "/v1/runs/" + runId);
        return run.path("lastSeq").asText() + "/" + run.path("status").asText() + "/" + run.path("headHash").asText();
    }

    /** A run's page: its view, budgets, verification and timeline. */
    ConsoleViews.RunPage run(Person person, String runId) {
        String key = person.session().apiKey();
        JsonNode run = projector.get(key, "/v1/runs/" + runId);
        JsonNode events = projector.get(key, "/v1/runs/" + runId + "/events");
        JsonNode verify = projector.get(key, "/v1/runs/" + runId + "/verify");
        JsonNode grants = run.path("grants");
        JsonNode counters = run.path("counters");
        JsonNode spend = run.path("spend");
        long calls = counters.path("approved").asLong() + counters.path("held").asLong();
        List<ConsoleViews.Budget> budgets = new ArrayList<>();
        budgets.add(budget("Tool calls", calls, grants.path("maxToolCalls").asLong(), Long::toString));
        budgets.add(budget("Cost", spend.path("costMicros").asLong(), grants.path("costMicros").asLong(),
                ConsolePages::money));
        budgets.add(budget("Tokens", spend.path("tokens").asLong(), grants.path("tokens").asLong(), Long::toString));
        List<ConsoleViews.TimelineRow> timeline = new ArrayList<>();
        for (JsonNode event : events) {
            timeline.add(timelineRow(run, event));
        }
        boolean valid = verify.path("valid").asBoolean();
        String verification = valid
                ? verify.path("events").asLong() + " events, each hash links to the one before."
                : "Broken at seq " + verify.path("firstBrokenSeq").asText("?") + ": " + verify.path("reason").asText();
        return new ConsoleViews.RunPage(runId, run.path("workflow").asText(), run.path("environment").asText(),
                run.path("classification").asText(), run.path("status").asText(),
                run.path("haltReason").asText(null), who(run.path("principalId").asText()),
                run.path("tenantId").asText(), run.path("policyVersion").asText(), run.path("stage").asText(""),
                budgets, String.format(Locale.ROOT, "%d approved, %d denied, %d waiting, %d completed, %d failed",
                        counters.path("approved").asLong(), counters.path("denied").asLong(),
                        counters.path("held").asLong(), counters.path("completed").asLong(),
                        counters.path("failed").asLong()),
                true, valid, verification, verify.path("headHash").asText(), timeline, null);
    }

    private ConsoleViews.TimelineRow timelineRow(JsonNode run, JsonNode event) {
        JsonNode payload = event.path("payload");
        String principal = event.path("principalId").asText("");
        if (principal.isEmpty()) {
            principal = payload.path("approverId").asText(run.path("principalId").asText());
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode reason : payload.path("reasons")) {
            String rule = reason.path("ruleId").asText("");
            reasons.add(reason.path("code").asText() + (rule.isEmpty() || rule.equals("null") ? "" : " (" + rule + ")")
                    + ": " + reason.path("message").asText());
        }
        if (payload.hasNonNull("reason") && payload.path("reason").isTextual()
                && !payload.path("reason").asText().isEmpty()) {
            reasons.add(payload.path("reason").asText());
        }
        JsonNode receipt = payload.path("receipt");
        String receiptText = receipt.isObject()
                ? "signed by " + receipt.path("keyId").asText("?") + ", result sha256 "
                + abbreviate(receipt.path("resultSha256").asText(receipt.path("outputSha256").asText("")))
                : "";
        List<String> detail = new ArrayList<>();
        for (String field : List.of("tool", "callId", "status", "stage", "gateId", "model", "outcome")) {
            if (payload.hasNonNull(field) && payload.path(field).isValueNode()) {
                detail.add(field + " " + payload.path(field).asText());
            }
        }
        return new ConsoleViews.TimelineRow(event.path("seq").asLong(), event.path("type").asText(),
                time(event.path("occurredAt").asText()), who(principal),
                event.path("policyVersion").asText(run.path("policyVersion").asText()),
                String.join("; ", reasons), receiptText, String.join(" · ", detail),
                abbreviate(event.path("hash").asText()));
    }

    private static ConsoleViews.Budget budget(String what, long used, long limit,
                                              java.util.function.LongFunction<String> format) {
        int percent = limit <= 0 ? 0 : (int) Math.min(100, used * 100 / limit);
        return new ConsoleViews.Budget(what, format.apply(used), limit <= 0 ? "no limit" : format.apply(limit),
                percent);
    }

    // ---- formatting ---------------------------------------------------------------------------------------------

    /** A principal as people read it: its name and id, or the id alone when unknown. */
    String who(String principalId) {
        if (principalId == null || principalId.isEmpty()) {
            return "";
        }
        return identities.byPrincipalId(principalId).map(Identity::getName)
                .map(name -> name.equals(principalId) ? name : name + " (" + principalId + ")").orElse(principalId);
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    static String time(String iso) {
        if (iso == null || iso.isEmpty()) {
            return "";
        }
        try {
            return TIME.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private String timeLeft(String iso) {
        Instant expires = instant(iso);
        Duration left = Duration.between(clock.instant(), expires);
        if (left.isNegative() || left.isZero()) {
            return "expiring now";
        }
        long minutes = left.toMinutes();
        if (minutes < 1) {
            return "less than a minute left";
        }
        if (minutes < 120) {
            return minutes + " min left";
        }
        return left.toHours() + " h " + (minutes % 60) + " min left";
    }

    private static Instant instant(String iso) {
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException | NullPointerException e) {
            return Instant.EPOCH;
        }
    }

    /** "30m", "2h", "7d" back from now, or an ISO date or instant; null when neither. */
    private Instant sinceInstant(String text) {
        try {
            if (text.matches("\\d{1,6}[mhd]")) {
                long n = Long.parseLong(text.substring(0, text.length() - 1));
                Duration back = switch (text.charAt(text.length() - 1)) {
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return clock.instant().minus(back);
            }
            if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return Instant.parse(text + "T00:00:00Z");
            }
            return Instant.parse(text);
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    static String money(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    private static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }

    private static String abbreviate(String hash) {
        return hash == null || hash.length() <= 16 ? nz(hash) : hash.substring(0, 16) + "…";
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String nz(String text) {
        return text == null ? "" : text;
    }

    private static Map<String, String> mapOf(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
