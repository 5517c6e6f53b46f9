package dev.tollgate.events.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class GlobalDeadLettersTest {

    @Test
    void recognisesTheGlobalThreadsTask() {
        assertThat(GlobalDeadLetters.isGlobal(new TaskId(-1, -1))).isTrue();
        assertThat(GlobalDeadLetters.isGlobal(null)).isTrue();
        assertThat(GlobalDeadLetters.isGlobal(new TaskId(0, 3))).isFalse();
    }

    @Test
    void buildsAnIdempotentNonTransactionalProducerFromTheAppsClientSettings() {
        Map<String, Object> config = GlobalDeadLetters.producerConfig(Map.of(
                "application.id", "tollgate-policy-processor-v1",
                "bootstrap.servers", "kafka-1:9092",
                "security.protocol", "SASL_PLAINTEXT",
                "producer.linger.ms", "5",
                "producer.transactional.id", "must-not-be-used",
                "commit.interval.ms", "20"));

        assertThat(config)
                .containsEntry("bootstrap.servers", "kafka-1:9092")
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("linger.ms", "5")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("client.id", "tollgate-policy-processor-v1-global-dlq")
                .doesNotContainKeys("transactional.id", "application.id", "commit.interval.ms");
    }
}
