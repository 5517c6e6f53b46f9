package dev.tollgate.policy.artifacts;

import static dev.tollgate.policy.Fixtures.artifact;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.requestRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ArtifactRecorded;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.run.PolicyContext;
import org.junit.jupiter.api.Test;

class ArtifactDeciderTest {

    private static RunHarness admitted() {
        return new RunHarness(context()).given(requestRun("r1", "research", "staging", "Internal"));
    }

    @Test
    void recordsAnArtifactWithItsDigestSizeAndAVersionPerType() {
        RunHarness run = admitted();
        String content = "{\"title\":\"Q3\"}";
        ArtifactRecorded first = run.single(artifact("r1", "report", content), ArtifactRecorded.class);
        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(first.getSha256()).isEqualTo(Sha256.hex(content));
        assertThat(first.getSizeBytes()).isEqualTo(content.length());
        assertThat(first.getClassification()).isEqualTo("Internal");
        assertThat(first.getStage()).isEqualTo("deliver");

        assertThat(run.single(artifact("r1", "report", "{}"), ArtifactRecorded.class).getVersion()).isEqualTo(2);
        assertThat(run.single(artifact("r1", "notes", "x"), ArtifactRecorded.class).getVersion()).isEqualTo(1);
        assertThat(run.single(artifact("r1", "report", "{}"), ArtifactRecorded.class).getVersion()).isEqualTo(3);
        assertThat(run.state("r1").getArtifacts().get("report").getVersion()).isEqualTo(3);
        assertThat(run.state("r1").getArtifacts().get("report").getSha256()).isEqualTo(Sha256.hex("{}"));
    }

    @Test
    void rejectsContentAboveTheSizeLimitCountingUtf8Bytes() {
        RunHarness run = admitted();
        int limit = (int) PolicyContext.DEFAULT_MAX_ARTIFACT_BYTES;
        assertThat(run.single(artifact("r1", "report", "a".repeat(limit)), ArtifactRecorded.class).getSizeBytes())
                .isEqualTo(limit);
        // 'é' is two bytes in UTF-8: half the limit in characters is one byte over.
        CommandRejected rejected = run.single(artifact("r1", "report", "é".repeat(limit / 2) + "a"),
                CommandRejected.class);
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.ARTIFACT_TOO_LARGE);
        assertThat(rejected.getReasons().get(0).getMessage()).contains(Integer.toString(limit + 1));
        assertThat(run.state("r1").getArtifacts().get("report").getVersion()).isEqualTo(1);
    }
}
