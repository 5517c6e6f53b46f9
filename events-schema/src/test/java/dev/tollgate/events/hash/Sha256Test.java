package dev.tollgate.events.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void knownVectors() {
        assertThat(Sha256.hex("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hexOfARangeIsTheDigestOfThatRangeOnly() throws Exception {
        byte[] bytes = "xxabcyy".getBytes(StandardCharsets.UTF_8);

        assertThat(Sha256.hex(bytes, 2, 3)).isEqualTo(Sha256.hex("abc"));
        assertThat(Sha256.hex(bytes)).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    @Test
    void tableHexEqualsHexFormatForEveryByteValue() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(Sha256.toHex(all)).isEqualTo(HexFormat.of().formatHex(all));
        assertThat(Sha256.toHex(new byte[0])).isEmpty();
    }

    @Test
    void threadsHashingAtOnceEachGetTheirOwnDigest() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    MessageDigest reference = MessageDigest.getInstance("SHA-256");
                    for (int i = 0; i < 2_000; i++) {
                        byte[] bytes = new byte[random.nextInt(600)];
                        random.nextBytes(bytes);
                        if (!Sha256.hex(bytes).equals(HexFormat.of().formatHex(reference.digest(bytes)))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
