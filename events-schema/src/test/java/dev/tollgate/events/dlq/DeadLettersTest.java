package dev.tollgate.events.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void keepsTheOriginalBytesAndSaysWhereFromAndWhy() {
        byte[] key = "run-1".getBytes(StandardCharsets.UTF_8);
        byte[] value = {9, 9, 9};
        RecordHeaders original = new RecordHeaders();
        original.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));

        ProducerRecord<byte[], byte[]> record = DeadLetters.record("app-1", "deserialization",
                "tollgate.commands.v1", 3, 42L, key, value, original,
                new IllegalArgumentException("bad magic", new RuntimeException("root cause")));

        assertThat(record.topic()).isEqualTo(Topics.DLQ.name());
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.value()).isEqualTo(value);
        assertThat(DeadLetters.header(record.headers(), DeadLetters.REASON)).contains("bad magic <- root cause");
        assertThat(DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC)).contains("tollgate.commands.v1");
        assertThat(DeadLetters.header(record.headers(), DeadLetters.SOURCE_PARTITION)).contains("3");
        assertThat(DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET)).contains("42");
        assertThat(DeadLetters.header(record.headers(), DeadLetters.ERROR_CLASS))
                .contains(IllegalArgumentException.class.getName());
        assertThat(DeadLetters.header(record.headers(), DeadLetters.APPLICATION)).contains("app-1");
        assertThat(DeadLetters.header(record.headers(), "traceparent")).contains("00-abc");
    }

    @Test
    void boundsTheReason() {
        String reason = DeadLetters.reason(new IllegalStateException("x".repeat(10_000)));
        assertThat(reason).hasSize(2000);
    }
}
