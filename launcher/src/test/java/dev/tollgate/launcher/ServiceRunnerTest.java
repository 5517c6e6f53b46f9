package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.health.ServiceHealth;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServiceRunnerTest {

    @Test
    void theFirstFatalErrorEndsTheRunWithExitCodeOneAndClosesTheService() throws Exception {
        ServiceHealth health = new ServiceHealth("demo");
        AtomicInteger closed = new AtomicInteger();
        AutoCloseable service = closed::incrementAndGet;

        int exit = ServiceRunner.run("demo", () -> service, s -> health.fatalError(),
                s -> health.fatal("the dispatch loop stopped", new IllegalStateException("boom")));

        assertThat(exit).isEqualTo(1);
        assertThat(closed.get()).isGreaterThanOrEqualTo(1);
    }
}
