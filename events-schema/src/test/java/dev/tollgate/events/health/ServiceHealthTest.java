package dev.tollgate.events.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class ServiceHealthTest {

    private final AtomicBoolean running = new AtomicBoolean();
    private final ServiceHealth health = new ServiceHealth("demo").readyWhen(running::get, () -> "S");
    private final KafkaStreams.StateListener listener = health.streamsListener((now, before) ->
            running.set(now == State.RUNNING));

    @Test
    void staysLiveButNotReadyThroughARebalance() {
        listener.onChange(State.REBALANCING, State.CREATED);
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isFalse();
        listener.onChange(State.RUNNING, State.REBALANCING);
        assertThat(health.ready()).isTrue();
        listener.onChange(State.REBALANCING, State.RUNNING);
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isFalse();
        assertThat(health.fatalError()).isNotDone();
    }

    @Test
    void aStreamsClientInErrorIsFatalAndTheFirstErrorWins() {
        listener.onChange(State.RUNNING, State.REBALANCING);
        listener.onChange(State.PENDING_ERROR, State.RUNNING);
        listener.onChange(State.ERROR, State.PENDING_ERROR);
        health.fatal("something later", new IllegalStateException("later"));

        assertThat(health.live()).isFalse();
        assertThat(health.ready()).isFalse();
        assertThat(health.state()).isEqualTo("FAILED");
        assertThat(health.fatalError().join()).hasMessageContaining("demo: the Kafka Streams client went to "
                + "PENDING_ERROR");
        assertThat(HealthRoutes.body(health, health.live()))
                .isEqualTo("{\"status\":\"DOWN\",\"service\":\"demo\",\"state\":\"FAILED\"}");
    }

    @Test
    void aShutdownNobodyAskedForIsFatalButAClosedServiceIsNot() {
        ServiceHealth other = new ServiceHealth("other");
        KafkaStreams.StateListener otherListener = other.streamsListener((now, before) -> { });
        otherListener.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        assertThat(other.fatalError()).isDone();

        health.closing();
        listener.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        listener.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
        health.fatal("a reader stopped while closing", null);
        assertThat(health.fatalError()).isNotDone();
        assertThat(health.ready()).isFalse();
    }
}
