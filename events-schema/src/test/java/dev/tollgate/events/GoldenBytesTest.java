package dev.tollgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bytes the serde writes are Confluent's wire format: magic byte 0, the big-endian schema id, the Avro binary
 * body. One record per topic is pinned as golden hex under {@code src/test/resources/golden/}; a change to those
 * bytes is a wire-format change and fails here. {@link #killSwitchBytesFollowTheAvroSpecByHand()} derives one
 * record's bytes from the Avro specification by hand, independently of Avro's encoder.
 * Rewrite the golden files (deliberately) with {@code -Dgolden.write=true}.
 */
class GoldenBytesTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> avroTopics() {
        return Topics.ALL.stream().filter(TopicSpec::isAvro).map(t -> Arguments.of(t.name(), t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avroTopics")
    <V> void serdeWritesTheGoldenBytes(String name, TopicSpec<String, V> topic) throws IOException {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        TollgateSerdes serdes = new TollgateSerdes(registry);
        @SuppressWarnings("unchecked")
        V sample = (V) SampleRecords.sample(topic.valueType().asSubclass(SpecificRecord.class), 2026);
        byte[] bytes = serdes.value(topic).serializer().serialize(topic.name(), sample);

        Path file = GOLDEN.resolve(topic.name() + ".hex");
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, HEX.formatHex(bytes) + "\n", StandardCharsets.UTF_8);
        }
        assertThat(file).as("golden bytes of %s; write them with -Dgolden.write=true", name).exists();
        assertThat(HEX.formatHex(bytes)).isEqualTo(Files.readString(file).trim());
        assertThat(serdes.value(topic).deserializer().deserialize(topic.name(), bytes)).isEqualTo(sample);
    }

    @Test
    void killSwitchBytesFollowTheAvroSpecByHand() {
        KillSwitch value = KillSwitch.newBuilder()
                .setScope(KillSwitchScope.TENANT)
                .setTarget("acme")
                .setEngaged(true)
                .setReason("ops")
                .setUpdatedAt(Instant.ofEpochMilli(1))
                .setUpdatedBy("a")
                .build();
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());

        byte[] bytes = serdes.value(Topics.KILL_SWITCHES).serializer().serialize(Topics.KILL_SWITCHES.name(), value);

        String expected = "00" + "00000001"   // magic byte 0, schema id 1 (big-endian)
                + "04"                             // enum index 2 (TENANT), zig-zag varint
                + "08" + hex("acme")               // string: length 4 zig-zag (8), UTF-8 bytes
                + "01"                             // boolean true
                + "06" + hex("ops")                // string "ops"
                + "02"                             // long 1 (timestamp-millis), zig-zag
                + "02" + hex("a");                 // string "a"
        assertThat(HEX.formatHex(bytes)).isEqualTo(expected);
    }

    private static String hex(String utf8) {
        return HEX.formatHex(utf8.getBytes(StandardCharsets.UTF_8));
    }
}
