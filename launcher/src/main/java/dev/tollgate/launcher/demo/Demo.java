package dev.tollgate.launcher.demo;

import java.io.PrintWriter;
import java.util.List;

/** Runs the demo's scenarios against a running stack and prints the table of expected and observed. */
public final class Demo {

    private final PrintWriter out;

    public Demo(PrintWriter out) {
        this.out = out;
    }

    /** Runs every scenario; true when every observation matched what was expected. */
    public boolean run(String intakeUrl, String queryUrl, String adminKey, String bootstrapServers,
                       String schemaRegistryUrl) {
        List<DemoScenarios.Observation> observations =
                new DemoScenarios(intakeUrl, queryUrl, adminKey, bootstrapServers, schemaRegistryUrl).runAll();
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
}
