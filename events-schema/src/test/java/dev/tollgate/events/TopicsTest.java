package dev.tollgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void everyTopicFollowsTheNamingPatternOnce() {
        assertThat(Topics.ALL).allSatisfy(t -> assertThat(t.name()).matches("tollgate\\.[a-z-]+\\.v[0-9]+"));
        Set<String> names = Topics.ALL.stream().map(TopicSpec::name).collect(Collectors.toSet());
        assertThat(names).hasSameSizeAs(Topics.ALL);
    }

    @Test
    void runKeyedTopicsSharePartitionCountSoARunStaysInOnePartitionNumber() {
        assertThat(Set.of(Topics.COMMANDS, Topics.LEDGER, Topics.DISPATCH, Topics.TOOL_RESULTS))
                .allSatisfy(t -> assertThat(t.partitions()).isEqualTo(Topics.RUN_PARTITIONS));
    }

    @Test
    void retentionMatchesTheDesign() {
        assertThat(Topics.LEDGER.configs()).containsEntry("retention.ms", "-1");
        assertThat(Topics.POLICIES.configs()).containsEntry("retention.ms", "-1");
        assertThat(Topics.IDENTITIES.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Topics.KILL_SWITCHES.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Topics.ARTIFACTS.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(Topics.COMMANDS.configs()).containsEntry("retention.ms", Long.toString(7L * 24 * 3600 * 1000));
        assertThat(Topics.DLQ.configs()).containsEntry("retention.ms", Long.toString(30L * 24 * 3600 * 1000));
    }

    @Test
    void timeRetainedTopicsCountRetentionFromArrivalNotFromEventTime() {
        // A record with an old event time (skewed clock, old held call, replayed batch) must outlive its consumer.
        assertThat(Topics.ALL).filteredOn(t -> !"-1".equals(t.configs().getOrDefault("retention.ms", "-1")))
                .extracting(TopicSpec::name)
                .containsExactlyInAnyOrder(Topics.COMMANDS.name(), Topics.DISPATCH.name(), Topics.TOOL_RESULTS.name(),
                        Topics.DLQ.name());
        assertThat(Topics.ALL).filteredOn(t -> t.configs().containsKey("retention.ms")
                        && !"-1".equals(t.configs().get("retention.ms")))
                .allSatisfy(t -> assertThat(t.configs()).containsEntry(TopicSpec.TIMESTAMP_TYPE,
                        TopicSpec.LOG_APPEND_TIME));
        // The ledger keeps producer (event) time: it is kept forever, and replay --from-timestamp reads it.
        assertThat(Topics.LEDGER.configs()).doesNotContainKey(TopicSpec.TIMESTAMP_TYPE);
    }

    @Test
    void valueSubjectsUseTheTopicNameStrategy() {
        assertThat(Topics.LEDGER.valueSubject()).isEqualTo("tollgate.ledger.v1-value");
        assertThat(Topics.LEDGER.isAvro()).isTrue();
        assertThat(Topics.DLQ.isAvro()).isFalse();
        assertThat(Topics.byName("tollgate.dlq.v1")).contains(Topics.DLQ);
    }
}
