package dev.tollgate.policy.decide;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.finish;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.result;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.RunStatus;
import dev.tollgate.policy.decide.RunLedger;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunDeciderTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";

    private static List<ReasonCode> codes(CommandRejected rejected) {
        return rejected.getReasons().stream().map(Reason::getCode).toList();
    }

    @Test
    void aToolCallForAnUnknownRunIsRejectedAsNotActive() {
        CommandRejected rejected = new RunHarness(context()).single(toolCall("nope", "c1", "search_docs", SEARCH),
                CommandRejected.class);
        assertThat(codes(rejected)).containsExactly(ReasonCode.RUN_NOT_ACTIVE);
        assertThat(rejected.getCommandType()).isEqualTo("RequestToolCall");
        assertThat(rejected.getCallId()).isEqualTo("c1");
    }

    @Test
    void aRunFirstProbedByARejectedCommandCanStillBeAdmitted() {
        RunHarness run = new RunHarness(context()).given(finish("r1"));
        run.single(requestRun("r1"), RunAdmitted.class);
        assertThat(run.ledger()).extracting(LedgerEvent::getSeq).containsExactly(1L, 2L);
    }

    @Test
    void finishRunCompletesTheRunAndLaterCommandsAreRejected() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        RunCompleted completed = run.single(finish("r1"), RunCompleted.class);
        assertThat(completed.getOutcome()).isEqualTo("done");
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.COMPLETED);

        assertThat(codes(run.single(toolCall("r1", "c1", "search_docs", SEARCH), CommandRejected.class)))
                .containsExactly(ReasonCode.RUN_NOT_ACTIVE);
        assertThat(codes(run.single(finish("r1"), CommandRejected.class))).containsExactly(ReasonCode.RUN_NOT_ACTIVE);
    }

    @Test
    void finishingARejectedRunIsRejected() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1", "coding", "dev", "Public"));
        assertThat(codes(run.single(finish("r1"), CommandRejected.class))).containsExactly(ReasonCode.RUN_NOT_ACTIVE);
    }

    @Test
    void aSecondRequestRunForTheSameRunIsRejected() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        assertThat(codes(run.single(requestRun("r1"), CommandRejected.class)))
                .containsExactly(ReasonCode.COMMAND_INVALID);
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.ACTIVE);
    }

    @Test
    void aCommandIdAlreadyProcessedHasNoSecondEffect() {
        Command call = toolCall("r1", "c1", "search_docs", SEARCH);
        Command admit = requestRun("r1");
        RunHarness run = new RunHarness(context()).given(admit, call);

        assertThat(run.when(call)).isEmpty();
        assertThat(run.when(admit)).isEmpty();
        assertThat(run.ledger()).hasSize(2);
        assertThat(run.dispatches()).hasSize(1);
        assertThat(run.state("r1").getToolCalls()).isEqualTo(1);
    }

    @Test
    void processedCommandIdsAreBounded() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        for (int i = 0; i < RunDecider.REMEMBERED_COMMANDS + 10; i++) {
            run.when(toolCall("r1", "c" + i, "nope", "{}"));
        }
        assertThat(run.state("r1").getProcessedCommandIds()).hasSize(RunDecider.REMEMBERED_COMMANDS);
    }

    @Test
    void aToolResultCompletesTheCallAndMovesTheReservationToTheActualCost() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"), toolCall("r1", "c1", "search_docs", SEARCH));
        List<?> events = run.when(result("r1", "c1", "search_docs", 700));

        assertThat(events).singleElement().isInstanceOfSatisfying(ToolCallCompleted.class, completed -> {
            assertThat(completed.getStatus()).isEqualTo(ToolCallStatus.SUCCEEDED);
            assertThat(completed.getResultSha256()).hasSize(64);
            assertThat(completed.getReceipt().getKeyId()).isEqualTo("k1");
            assertThat(completed.getCostMicros()).isEqualTo(700);
        });
        assertThat(run.ledger().get(2).getOccurredAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(run.ledger().get(2).getPrincipalId()).isEqualTo(AGENT);
        assertThat(run.state("r1").getReservedCostMicros()).isZero();
        assertThat(run.state("r1").getSpentCostMicros()).isEqualTo(700);
        assertThat(run.state("r1").getCalls().get("c1").getStatus()).isEqualTo(CallStatus.COMPLETED);
    }

    @Test
    void aDuplicateToolResultHasNoSecondEffect() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"), toolCall("r1", "c1", "search_docs", SEARCH));
        run.when(result("r1", "c1", "search_docs", 700));
        assertThat(run.when(result("r1", "c1", "search_docs", 700))).isEmpty();
        assertThat(run.state("r1").getSpentCostMicros()).isEqualTo(700);
    }

    @Test
    void aResultForACallThatWasNeverDispatchedHasNoEffect() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        assertThat(run.when(result("r1", "ghost", "search_docs", 1))).isEmpty();
        assertThat(run.when(result("unknown-run", "c1", "search_docs", 1))).isEmpty();
    }

    @Test
    void everyEventIsNumberedAndChainedToThePreviousOne() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"), toolCall("r1", "c1", "search_docs", SEARCH),
                toolCall("r1", "c2", "nope", "{}"));
        run.when(result("r1", "c1", "search_docs", 1000));
        run.when(finish("r1"));

        List<LedgerEvent> ledger = run.ledger();
        assertThat(ledger).extracting(LedgerEvent::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ledger.get(0).getPrevHash()).isEqualTo(LedgerHash.GENESIS);
        for (int i = 1; i < ledger.size(); i++) {
            assertThat(ledger.get(i).getPrevHash()).isEqualTo(LedgerHash.of(ledger.get(i - 1)));
        }
        assertThat(run.state("r1").getLastHash()).isEqualTo(LedgerHash.of(ledger.get(4)));
        assertThat(run.state("r1").getLastSeq()).isEqualTo(5);
        assertThat(ledger.get(0).getEventId()).isEqualTo(RunLedger.eventId("r1", 1));
        assertThat(ledger.get(1).getCausationId()).isNotNull();
        assertThat(ledger.get(3).getCausationId()).isNull();
    }

    @Test
    void replayingTheSameCommandsGivesTheSameLedgerBytes() {
        Command admit = requestRun("r1");
        Command call = toolCall("r1", "c1", "tickets.update", "{\"ticket_ids\":[1],\"fields\":{}}");
        RunHarness first = new RunHarness(context()).given(admit, call);
        RunHarness second = new RunHarness(context()).given(admit, call);
        assertThat(second.ledger()).isEqualTo(first.ledger());
        assertThat(LedgerHash.of(second.ledger().get(1))).isEqualTo(LedgerHash.of(first.ledger().get(1)));
    }
}
