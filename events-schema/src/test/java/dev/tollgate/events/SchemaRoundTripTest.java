package dev.tollgate.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.AvroSerde;
import dev.tollgate.events.serde.TollgateSerdes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaRoundTripTest {

    private final TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());

    static Stream<Arguments> everyTopicValue() {
        return Topics.ALL.stream().filter(TopicSpec::isAvro).map(t -> Arguments.of(t.name(), t));
    }

    static Stream<Arguments> everyPayload() {
        List<Arguments> cases = new ArrayList<>();
        for (Class<? extends SpecificRecord> envelope : List.of(Command.class, LedgerEvent.class)) {
            for (int branch = 0; branch < SampleRecords.payloadBranches(envelope); branch++) {
                cases.add(Arguments.of(envelope.getSimpleName(), branch));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyTopicValue")
    <V> void everyTopicValueSurvivesTheSerde(String name, TopicSpec<String, V> topic) {
        @SuppressWarnings("unchecked")
        V sample = (V) SampleRecords.sample(topic.valueType().asSubclass(SpecificRecord.class), 42);
        Serde<V> serde = serdes.value(topic);

        byte[] bytes = serde.serializer().serialize(topic.name(), sample);
        V back = serde.deserializer().deserialize(topic.name(), bytes);

        assertThat(back).isEqualTo(sample);
        assertThat(bytes[0]).isZero();
    }

    @ParameterizedTest(name = "{0} payload #{1}")
    @MethodSource("everyPayload")
    void everyCommandAndLedgerPayloadSurvivesTheSerde(String envelope, int branch) {
        Class<? extends SpecificRecord> type = envelope.equals("Command") ? Command.class : LedgerEvent.class;
        SpecificRecord sample = SampleRecords.sample(type, 7 + branch, branch);
        @SuppressWarnings("unchecked")
        AvroSerde<SpecificRecord> serde = (AvroSerde<SpecificRecord>) serdes.avro(type);

        SpecificRecord back = serde.deserialize("t", serde.serialize("t", sample));

        assertThat(back).isEqualTo(sample);
        Object payload = back.get(back.getSchema().getField("payload").pos());
        assertThat(payload.getClass().getSimpleName())
                .isEqualTo(back.getSchema().getField("payload").schema().getTypes().get(branch).getName());
    }

    @Test
    void nullIsATombstoneBothWays() {
        Serde<KillSwitch> serde = serdes.value(Topics.KILL_SWITCHES);
        assertThat(serde.serializer().serialize(Topics.KILL_SWITCHES.name(), null)).isNull();
        assertThat(serde.deserializer().deserialize(Topics.KILL_SWITCHES.name(), null)).isNull();
    }

    @Test
    void refusesBytesThatAreNotWireFormat() {
        Serde<Command> serde = serdes.value(Topics.COMMANDS);
        assertThatThrownBy(() -> serde.deserializer().deserialize("x", new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte");
        assertThatThrownBy(() -> serde.deserializer().deserialize("x", new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("shorter than");
        assertThatThrownBy(() -> serde.deserializer().deserialize("x", new byte[] {0, 0, 0, 0, 99, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("99");
    }

    @Test
    void refusesTruncatedAvro() {
        Serde<Command> serde = serdes.value(Topics.COMMANDS);
        byte[] bytes = serde.serializer().serialize("x", SampleRecords.sample(Command.class, 1));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> serde.deserializer().deserialize("x", truncated))
                .isInstanceOf(SerializationException.class);
    }
}
