package dev.tollgate.events.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void sortsKeysAtEveryDepthAndDropsWhiteSpace() {
        assertThat(CanonicalJson.canonicalize("{ \"b\": [ {\"z\":1, \"a\":2} ], \"a\": \"x\" }"))
                .isEqualTo("{\"a\":\"x\",\"b\":[{\"a\":2,\"z\":1}]}");
    }

    @Test
    void sameMeaningSameDigest() {
        assertThat(CanonicalJson.sha256("{\"q\":\"kafka\",\"n\":10}"))
                .isEqualTo(CanonicalJson.sha256("{\n  \"n\" : 10, \"q\" : \"kafka\"\n}"))
                .isNotEqualTo(CanonicalJson.sha256("{\"q\":\"kafka\",\"n\":11}"));
    }

    @Test
    void keepsIntegersAndDecimalsApart() {
        assertThat(CanonicalJson.canonicalize("[1, 1.5, 10000000000000000000]"))
                .isEqualTo("[1,1.5,10000000000000000000]");
    }

    @Test
    void refusesTextThatIsNotJson() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{\"a\":")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize("{} {}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize("")).isInstanceOf(IllegalArgumentException.class);
    }
}
