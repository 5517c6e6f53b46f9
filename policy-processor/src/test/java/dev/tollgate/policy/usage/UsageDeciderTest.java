package dev.tollgate.policy.usage;

import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.result;
import static dev.tollgate.policy.Fixtures.toolCall;
import static dev.tollgate.policy.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.BudgetDimension;
import dev.tollgate.events.BudgetExhausted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.engine.ModelPrice;
import dev.tollgate.policy.state.RunStatus;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class UsageDeciderTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";

    private static RunHarness admitted(RunBudget budget) {
        return new RunHarness(context()).given(requestRun("r1", budget));
    }

    @Test
    void pricesUsageFromTheBundleRoundingUpAndKeepsRunningTotals() {
        RunHarness run = admitted(null);
        // small-model: 150 / 600 micro-USD per 1k tokens: 1,234 in -> 185.1 -> 186; 567 out -> 340.2 -> 341.
        UsageRecorded first = run.single(usage("r1", T0.plusSeconds(2), "small-model", 1234, 567),
                UsageRecorded.class);
        assertThat(first.getCostMicros()).isEqualTo(186 + 341);
        assertThat(first.getTotalTokens()).isEqualTo(1801);
        assertThat(first.getTotalCostMicros()).isEqualTo(527);

        UsageRecorded second = run.single(usage("r1", T0.plusSeconds(3), "large-model", 1000, 1000),
                UsageRecorded.class);
        assertThat(second.getCostMicros()).isEqualTo(3000 + 15000);
        assertThat(second.getTotalTokens()).isEqualTo(3801);
        assertThat(second.getTotalCostMicros()).isEqualTo(527 + 18000);
        assertThat(run.state("r1").getTokens()).isEqualTo(3801);
        assertThat(run.state("r1").getSpentCostMicros()).isEqualTo(18527);
    }

    @Test
    void costIsTokensOverAThousandTimesThePriceRoundedUpNeverFree() {
        ModelPrice price = new ModelPrice("m", 150, 600);
        assertThat(price.costMicros(1000, 0)).isEqualTo(150);
        assertThat(price.costMicros(1, 0)).isEqualTo(1);
        assertThat(price.costMicros(0, 0)).isZero();
        assertThat(price.costMicros(2000, 1001)).isEqualTo(300 + 601);
    }

    @Test
    void rejectsAModelTheBundleDoesNotList() {
        RunHarness run = admitted(null);
        CommandRejected rejected = run.single(usage("r1", T0.plusSeconds(2), "gpt-unlisted", 10, 10),
                CommandRejected.class);
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.MODEL_NOT_ALLOWED);
        assertThat(run.state("r1").getTokens()).isZero();
    }

    @Test
    void crossingTheTokenBudgetRecordsTheUsageThenBudgetExhaustedThenHaltsTheRun() {
        RunHarness run = admitted(RunBudget.newBuilder().setTokens(1000L).build());
        assertThat(run.when(usage("r1", T0.plusSeconds(2), "small-model", 600, 400))).hasSize(1);

        List<SpecificRecord> events = run.when(usage("r1", T0.plusSeconds(3), "small-model", 1, 0));
        assertThat(events).hasSize(3);
        assertThat(((UsageRecorded) events.get(0)).getTotalTokens()).isEqualTo(1001);
        BudgetExhausted exhausted = (BudgetExhausted) events.get(1);
        assertThat(exhausted.getDimension()).isEqualTo(BudgetDimension.TOKENS);
        assertThat(exhausted.getLimit()).isEqualTo(1000);
        assertThat(exhausted.getUsed()).isEqualTo(1001);
        assertThat(((RunHalted) events.get(2)).getReasons()).singleElement()
                .satisfies(r -> assertThat(r.getCode()).isEqualTo(ReasonCode.BUDGET_EXHAUSTED));
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.HALTED);

        ToolCallDenied denied = run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class);
        assertThat(denied.getReasons().get(0).getCode()).isEqualTo(ReasonCode.BUDGET_EXHAUSTED);
        // Usage reported after the halt was still spent: recorded, but nothing is halted twice.
        assertThat(run.when(usage("r1", T0.plusSeconds(9), "small-model", 10, 0))).singleElement()
                .isInstanceOf(UsageRecorded.class);
    }

    @Test
    void crossingTheCostBudgetHaltsTheRunAndCrossingBothNamesBoth() {
        RunHarness run = admitted(RunBudget.newBuilder().setTokens(100L).setCostMicros(1000L).build());
        List<SpecificRecord> events = run.when(usage("r1", T0.plusSeconds(2), "large-model", 400, 0));
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("UsageRecorded",
                "BudgetExhausted", "BudgetExhausted", "RunHalted");
        assertThat(((BudgetExhausted) events.get(2)).getDimension()).isEqualTo(BudgetDimension.COST);
        assertThat(((BudgetExhausted) events.get(2)).getUsed()).isEqualTo(1200);
        assertThat(((RunHalted) events.get(3)).getReasons()).hasSize(2);
    }

    @Test
    void reachingABudgetExactlyDoesNotCrossIt() {
        RunHarness run = admitted(RunBudget.newBuilder().setTokens(1000L).build());
        assertThat(run.when(usage("r1", T0.plusSeconds(2), "small-model", 500, 500))).hasSize(1);
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.ACTIVE);
    }

    @Test
    void aToolCallCostingMoreThanItReservedCanCrossTheCostBudget() {
        RunHarness run = admitted(RunBudget.newBuilder().setCostMicros(1500L).build());
        run.when(toolCall("r1", "c1", "search_docs", SEARCH));
        List<SpecificRecord> events = run.when(result("r1", "c1", "search_docs", 2000));
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                ToolCallCompleted.class.getSimpleName(), "BudgetExhausted", "RunHalted");
    }

    @Test
    void rejectsNegativeTokenCounts() {
        CommandRejected rejected = admitted(null).single(usage("r1", T0.plusSeconds(2), "small-model", -1, 0),
                CommandRejected.class);
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.COMMAND_INVALID);
    }
}
