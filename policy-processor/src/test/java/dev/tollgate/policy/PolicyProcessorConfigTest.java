package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class PolicyProcessorConfigTest {

    @Test
    void pollsAtAQuarterOfTheCommitIntervalAndSendsWithoutWaitingForTheCommit() {
        Properties props = PolicyProcessorConfig.from(Map.of("commit.interval.ms", "20")).streamsProperties();

        assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("20");
        assertThat(props.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo("5");
        assertThat(props.get(StreamsConfig.producerPrefix("linger.ms"))).isEqualTo("5");
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    }

    @Test
    void aTaskTakesWhateverPartitionHasARecordWithoutIdlingOnAnEmptyOne() {
        Properties props = PolicyProcessorConfig.from(Map.of()).streamsProperties();

        assertThat(props.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("-1");
    }

    @Test
    void pollTimeoutStaysBetweenOneMillisecondAndStreamsDefault() {
        assertThat(PolicyProcessorConfig.pollMs(0)).isEqualTo(1);
        assertThat(PolicyProcessorConfig.pollMs(2)).isEqualTo(1);
        assertThat(PolicyProcessorConfig.pollMs(100)).isEqualTo(25);
        assertThat(PolicyProcessorConfig.pollMs(1_000)).isEqualTo(100);
    }

    @Test
    void aKafkaPollSettingWins() {
        Properties props = PolicyProcessorConfig.from(Map.of("kafka.poll.ms", "50")).streamsProperties();

        assertThat(props.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo("50");
    }
}
