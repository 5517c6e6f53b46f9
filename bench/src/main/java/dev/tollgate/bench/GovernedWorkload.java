package dev.tollgate.bench;

import dev.tollgate.events.Command;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.policy.engine.DefaultBundle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The governed workload: agents running many runs at once, each run asking for a tool call per tick. Tick
 * {@code n} belongs to one of {@code concurrentRuns} run slots; a slot's run is admitted ({@code RequestRun}) just
 * before its first call and finished ({@code FinishRun}) just after its last, then the slot starts a new run. The
 * calls mix the reference bundle's paths: an allowed read ({@code search_docs}), an email to an outside domain
 * (denied by rule {@code external-email}) and an unknown tool (TOOL_UNKNOWN), so every decision runs CEL and the
 * JSON Schema checks. Deterministic: the same settings give the same commands, ids included.
 *
 * <p>Command ids are {@code <prefix>.c.<n>} for the call of tick n ({@code .r.} and {@code .f.} for the admission
 * and the finish), so the decision's {@code causationId} names the tick it answers.
 */
final class GovernedWorkload {

    static final String TENANT = "bench";
    static final String WORKFLOW = "support-triage";

    private final String prefix;
    private final String agentPrefix;
    private final int agents;
    private final int concurrentRuns;
    private final int callsPerRun;
    private final String callPrefix;

    /**
     * @param prefix         unique to one measurement: every run id and command id starts with it
     * @param agentPrefix    agents are {@code <agentPrefix>-agent-<i>}; measurements may share them
     * @param agents         distinct principals (runs spread over them)
     * @param concurrentRuns runs in flight at once
     * @param callsPerRun    tool calls per run (the reference bundle grants 20)
     */
    GovernedWorkload(String prefix, String agentPrefix, int agents, int concurrentRuns, int callsPerRun) {
        if (agents < 1 || concurrentRuns < 1 || callsPerRun < 1) {
            throw new IllegalArgumentException("agents, runs and calls per run must be positive");
        }
        this.prefix = prefix;
        this.agentPrefix = agentPrefix;
        this.agents = agents;
        this.concurrentRuns = concurrentRuns;
        this.callsPerRun = callsPerRun;
        this.callPrefix = prefix + ".c.";
    }

    String prefix() {
        return prefix;
    }

    /** The commands of tick {@code n}, in order: maybe a RequestRun, the RequestToolCall, maybe a FinishRun. */
    List<Command> commands(int n, Instant issuedAt) {
        int slot = n % concurrentRuns;
        int k = n / concurrentRuns;
        int runOfSlot = k / callsPerRun;
        int call = k % callsPerRun;
        String runId = runId(slot, runOfSlot);
        String agent = agent((slot + (long) runOfSlot * concurrentRuns) % agents);
        List<Command> commands = new ArrayList<>(3);
        if (call == 0) {
            commands.add(command(prefix + ".r." + n, runId, agent, issuedAt, RequestRun.newBuilder()
                    .setWorkflow(WORKFLOW).setEnvironment("staging").setClassification("Internal")
                    .setInputJson("{\"ticket\":" + n + "}").build()));
        }
        commands.add(command(callPrefix + n, runId, agent, issuedAt, toolCall(call, n)));
        if (call == callsPerRun - 1) {
            commands.add(command(prefix + ".f." + n, runId, agent, issuedAt,
                    FinishRun.newBuilder().setOutcome("done").build()));
        }
        return commands;
    }

    /** The tick whose tool call {@code causationId} answers, or -1. */
    int tickOf(String causationId) {
        if (causationId == null || !causationId.startsWith(callPrefix)) {
            return -1;
        }
        try {
            return Integer.parseInt(causationId, callPrefix.length(), causationId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether a ledger or command key is one of this workload's runs. */
    boolean ownsRun(String runId) {
        return runId != null && runId.startsWith(prefix);
    }

    /** How many commands ticks {@code 0..ticks-1} produce in all. */
    long commandCount(int ticks) {
        long total = 0;
        for (int n = 0; n < ticks; n++) {
            int call = (n / concurrentRuns) % callsPerRun;
            total += 1 + (call == 0 ? 1 : 0) + (call == callsPerRun - 1 ? 1 : 0);
        }
        return total;
    }

    /** The principals the workload acts as, enabled, in tenant {@value #TENANT}. */
    List<Identity> identities(Instant now) {
        List<Identity> identities = new ArrayList<>(agents);
        for (int i = 0; i < agents; i++) {
            String id = agent(i);
            identities.add(Identity.newBuilder().setPrincipalId(id).setName(id).setKind(PrincipalKind.AGENT)
                    .setTenantId(TENANT).setApiKeySha256(Sha256.hex(id)).setEnabled(true).setCreatedAt(now)
                    .setUpdatedAt(now).build());
        }
        return identities;
    }

    /** The reference bundle, published under {@code name} (the processor's {@code policy.bundle}). */
    static PolicyBundle referenceBundle(String name, Instant now) {
        String yaml = DefaultBundle.yaml().replace("name: default", "name: " + name);
        return PolicyBundle.newBuilder().setName(name).setVersion("bench").setSha256(Sha256.hex(yaml)).setYaml(yaml)
                .setPublishedAt(now).build();
    }

    private String runId(int slot, int runOfSlot) {
        return prefix + "-run-" + slot + "-" + runOfSlot;
    }

    private String agent(long i) {
        return agentPrefix + "-agent-" + i;
    }

    private static RequestToolCall toolCall(int call, int n) {
        String tool;
        String args;
        if (call % 10 == 3) {
            tool = "email.send";
            args = "{\"to\":[\"someone@elsewhere.org\"],\"subject\":\"status " + n + "\"}";
        } else if (call % 10 == 7) {
            tool = "shell.exec";
            args = "{\"cmd\":\"ls\"}";
        } else {
            tool = "search_docs";
            args = "{\"q\":\"how do I reset my password, ticket " + n + "\"}";
        }
        return RequestToolCall.newBuilder().setCallId("call-" + call).setTool(tool).setArgsJson(args).build();
    }

    private static Command command(String commandId, String runId, String agent, Instant issuedAt, Object payload) {
        return Command.newBuilder().setCommandId(commandId).setRunId(runId).setTenantId(TENANT).setPrincipalId(agent)
                .setIssuedAt(issuedAt).setPayload(payload).build();
    }
}
