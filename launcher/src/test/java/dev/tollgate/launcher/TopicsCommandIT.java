package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A broker of its own without the contract's topics, so {@code --create} has something to create. */
class TopicsCommandIT {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBrokerWithoutTopics() {
        kafka = EmbeddedKafka.builder().createTopics(false).start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void namesMissingTopicsThenCreatesThemWithTheirPartitionsAndConfigs() {
        CommandRun before = CommandRun.of("topics", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(before.exitCode()).as(before.err()).isZero();
        for (TopicSpec<String, ?> spec : Topics.ALL) {
            assertThat(before.out()).containsPattern(spec.name() + " +- +- +MISSING");
        }

        CommandRun create = CommandRun.of("topics", "--create", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(create.exitCode()).as(create.err()).isZero();
        for (TopicSpec<String, ?> spec : Topics.ALL) {
            assertThat(create.out()).contains("Created " + spec.name())
                    .containsPattern(spec.name() + " +" + spec.partitions() + " +1 +.*cleanup.policy="
                            + spec.configs().get("cleanup.policy"));
        }
        assertThat(create.out()).contains("tollgate.ledger.v1", "retention.ms=-1").doesNotContain("MISSING");
        // The gateway's journal too: in the secured deployment no service may create topics.
        assertThat(create.out()).contains("Created tollgate.gateway-journal.v1");

        CommandRun again = CommandRun.of("topics", "--create", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).doesNotContain("Created", "MISSING");
    }

    @Test
    void refusesAReplicationFactorTheClusterCannotHaveAfterWaiting() {
        CommandRun run = CommandRun.of("topics", "--create", "--replication-factor", "3", "--wait", "PT1S",
                "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("1 broker(s)", "fewer than --replication-factor 3");
    }
}
