package dev.tollgate.intake.console;

import static org.assertj.core.api.Assertions.assertThat;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The inbox fragment keys every held call by (runId, callId): two runs holding the same callId (callIds are unique
 * within a run only) render as two cards with distinct element ids, each naming its run and posting its decision
 * to its own run's route.
 */
class ApprovalsListTemplateTest {

    private static ConsoleViews.HeldItem item(String runId) {
        return new ConsoleViews.HeldItem("c1", runId, "agent", "tickets.update", "{}", "bulk", "now", "later", "5m",
                true, null);
    }

    @Test
    void twoRunsHoldingTheSameCallIdAreTwoCardsEachAddressedByItsRun() {
        ConsoleViews.Frame frame = new ConsoleViews.Frame("Approvals", "lead", "lead", "acme", "support-lead", false,
                "token", "approvals", null, null);
        StringOutput out = new StringOutput();
        TemplateEngine.createPrecompiled(ContentType.Html).render("console/approvalsList.jte", Map.of("frame", frame,
                "inbox", new ConsoleViews.Inbox(List.of(item("run-a"), item("run-b")), null)), out);
        String html = out.toString();

        assertThat(html).contains("id=\"held-run-a-c1\"", "id=\"held-run-b-c1\"",
                "action=\"/console/approvals/run-a/c1\"", "action=\"/console/approvals/run-b/c1\"",
                "href=\"/console/runs/run-a\"", "href=\"/console/runs/run-b\"");
        Matcher ids = Pattern.compile("\\sid=\"([^\"]+)\"").matcher(html);
        List<String> all = ids.results().map(m -> m.group(1)).toList();
        assertThat(all).doesNotHaveDuplicates().contains("reason-run-a-c1", "reason-run-b-c1");
    }
}
