package dev.tollgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.registry.CanonicalSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each topic's value schema must stay compatible both ways with its last released version, kept under
 * {@code src/test/resources/released/}: new code reads old records, and consumers still on the released schema
 * read new records. An incompatible change fails the build; it needs a new {@code .v2} topic instead.
 * After a release, refresh the copies with {@code mvn -pl events-schema test -Dreleased.write=true}.
 */
class SchemaCompatibilityTest {

    private static final Path RELEASED = Path.of("src/test/resources/released");

    static Stream<Arguments> avroTopics() {
        return Topics.ALL.stream().filter(TopicSpec::isAvro).map(t -> Arguments.of(t.name(), t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avroTopics")
    void valueSchemaIsCompatibleWithItsReleasedVersion(String name, TopicSpec<?, ?> topic) throws IOException {
        Schema current = new Schema.Parser().parse(CanonicalSchema.of(SpecificData.get().getSchema(topic.valueType())));
        Path file = RELEASED.resolve(topic.valueSubject() + ".avsc");
        if (Boolean.getBoolean("released.write")) {
            Files.createDirectories(RELEASED);
            Files.writeString(file, current.toString(true) + "\n", StandardCharsets.UTF_8);
        }
        assertThat(file).as("released copy of %s; write it with -Dreleased.write=true", name).exists();
        Schema released = new Schema.Parser().parse(Files.readString(file));

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType())
                .as("new code reads records written with the released %s schema", name)
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released, current).getType())
                .as("consumers on the released %s schema read new records", name)
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
}
