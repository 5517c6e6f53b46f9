package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecisionCpuTest {

    @Test
    void callsPerRunAreMeasuredInTheOrderGiven() {
        assertThat(DecisionCpu.callsPerRun("200, 20,1")).containsExactly(200, 20, 1);
        assertThat(DecisionCpu.callsPerRun("1,20,200")).containsExactly(1, 20, 200);
    }

    @Test
    void anOrderThatIsNotPositiveIntegersIsRefusedNamingTheProperty() {
        for (String bad : new String[] {"", "1,,20", "0", "-5", "ten"}) {
            assertThatThrownBy(() -> DecisionCpu.callsPerRun(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tollgate.bench.decideCallsPerRun");
        }
    }
}
