package dev.tollgate.launcher.demo;

import java.io.PrintWriter;
import java.util.List;

/** Runs the demo's scenarios against a running stack and prints the table of expected and observed. */
public final class Demo {

    /** A call the demo left held for a person: its run, its id, and who may approve it with which key. */
    public record HeldCall(String runId, String callId, String approverName, String approverKey) {
    }

    private final PrintWriter out;
    private DemoScenarios scenarios;

    public Demo(PrintWriter out) {
        this.out = out;
    }

    /** Runs every scenario; true when every observation matched what was expected. */
    public boolean run(String intakeUrl, String queryUrl, String adminKey, String bootstrapServers,
                       String schemaRegistryUrl) {
        scenarios = new DemoScenarios(intakeUrl, queryUrl, adminKey, bootstrapServers, schemaRegistryUrl);
        List<DemoScenarios.Observation> observations = scenarios.runAll();
        int width = observations.stream().mapToInt(o -> o.scenario().length()).max().orElse(10);
        int expectedWidth = observations.stream().mapToInt(o -> o.expected().length()).max().orElse(10);
        String format = "%-4s %-" + width + "s  %-" + expectedWidth + "s  %s%n";
        out.printf(format, "", "scenario", "expected", "observed");
        long matched = 0;
        for (DemoScenarios.Observation o : observations) {
            out.printf(format, o.matched() ? "ok" : "FAIL", o.scenario(), o.expected(), o.observed());
            matched += o.matched() ? 1 : 0;
        }
        out.printf("%n%d of %d scenarios matched.%n", matched, observations.size());
        out.flush();
        return matched == observations.size();
    }

    /** After {@link #run}: leaves one more bulk ticket update held, in the demo's run of identities. */
    public HeldCall leaveHeldCall() {
        if (scenarios == null) {
            throw new IllegalStateException("run the demo first");
        }
        return scenarios.leaveHeldCall();
    }

    /** Leaves the demo's bulk ticket update held for a support lead to decide (in the console or with curl). */
    public static HeldCall leaveHeldCall(String intakeUrl, String queryUrl, String adminKey, String bootstrapServers,
                                         String schemaRegistryUrl) {
        return new DemoScenarios(intakeUrl, queryUrl, adminKey, bootstrapServers, schemaRegistryUrl)
                .leaveHeldCall();
    }
}
