package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Command;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GovernedWorkloadTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void everyRunIsAdmittedBeforeItsCallsAndFinishedAfterItsLast() {
        GovernedWorkload workload = new GovernedWorkload("w1", "a", 3, 4, 5);
        int ticks = 4 * 5 * 3;
        Map<String, List<Command>> byRun = new HashMap<>();
        List<Command> all = new ArrayList<>();
        for (int n = 0; n < ticks; n++) {
            for (Command command : workload.commands(n, NOW)) {
                byRun.computeIfAbsent(command.getRunId(), k -> new ArrayList<>()).add(command);
                all.add(command);
            }
        }
        assertThat(byRun).hasSize(12);
        byRun.values().forEach(run -> {
            assertThat(run).hasSize(7);
            assertThat(run.get(0).getPayload()).isInstanceOf(RequestRun.class);
            assertThat(run.subList(1, 6)).allMatch(c -> c.getPayload() instanceof RequestToolCall);
            assertThat(run.get(6).getPayload()).isInstanceOf(FinishRun.class);
            assertThat(run).extracting(Command::getPrincipalId).containsOnly(run.get(0).getPrincipalId());
        });
        assertThat(all).extracting(Command::getCommandId).doesNotHaveDuplicates();
        assertThat(all).hasSize((int) workload.commandCount(ticks));
        Set<String> agents = new HashSet<>();
        all.forEach(c -> agents.add(c.getPrincipalId()));
        assertThat(agents).containsExactlyInAnyOrder("a-agent-0", "a-agent-1", "a-agent-2");
    }

    @Test
    void aDecisionNamesTheTickOfItsToolCall() {
        GovernedWorkload workload = new GovernedWorkload("w2", "a", 2, 2, 18);
        for (int n : new int[] {0, 1, 17, 35, 1_000_001}) {
            Command call = workload.commands(n, NOW).stream().filter(c -> c.getPayload() instanceof RequestToolCall)
                    .findFirst().orElseThrow();
            assertThat(workload.tickOf(call.getCommandId())).isEqualTo(n);
            assertThat(workload.ownsRun(call.getRunId())).isTrue();
        }
        assertThat(workload.tickOf("w2.r.0")).isEqualTo(-1);
        assertThat(workload.tickOf("w22.c.5")).isEqualTo(-1);
        assertThat(workload.tickOf(null)).isEqualTo(-1);
        assertThat(workload.ownsRun("other-run")).isFalse();
    }

    @Test
    void callsMixAllowedDeniedAndUnknownTools() {
        GovernedWorkload workload = new GovernedWorkload("w3", "a", 1, 1, 10);
        List<String> tools = new ArrayList<>();
        for (int n = 0; n < 10; n++) {
            workload.commands(n, NOW).stream().filter(c -> c.getPayload() instanceof RequestToolCall)
                    .forEach(c -> tools.add(((RequestToolCall) c.getPayload()).getTool()));
        }
        assertThat(tools).containsOnly("search_docs", "email.send", "shell.exec");
        assertThat(tools).filteredOn("search_docs"::equals).hasSize(8);
    }
}
