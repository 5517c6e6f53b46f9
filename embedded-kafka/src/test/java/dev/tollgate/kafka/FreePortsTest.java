package dev.tollgate.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A broker restart closes the Kafka port and then asks for a controller port; the kernel may hand back the one just
 * closed (CI saw it: "two listeners on the same port"). {@link FreePorts} never hands out a port twice.
 */
class FreePortsTest {

    @Test
    void skipsAPortItHandedOutBeforeWhenTheKernelGivesItAgain() {
        int owned = FreePorts.next();
        int other = FreePorts.next();
        FreePorts.reserve(other + 1);
        PrimitiveIterator.OfInt kernel = IntStream.of(owned, other + 1, owned, other + 2).iterator();

        assertThat(FreePorts.next(kernel::nextInt)).isEqualTo(other + 2);
    }

    @Test
    void givesUpNamingTheProblemRatherThanLoopingForever() {
        int owned = FreePorts.next();

        assertThatThrownBy(() -> FreePorts.next(() -> owned))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("handed out before");
    }

    @Test
    void manyPortsFromTheKernelAreAllDistinct() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(ports.add(FreePorts.next())).isTrue();
        }
    }
}
