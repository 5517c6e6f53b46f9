package dev.tollgate.projector.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * JSON for the projector: the views' wire form in the HTTP API and the CLI, and the value format of the
 * projector's own state stores and internal topics (views are not part of the event contract, so they are kept as
 * JSON rather than as registered Avro schemas; unknown fields are ignored so a newer view reads in an older one).
 */
public final class Json {

    /** Shared, configured once, thread-safe. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    /** Serializes {@code value} as compact JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON text into a tree. */
    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Kafka serde that stores {@code type} as UTF-8 JSON. */
    public static <T> Serde<T> serde(Class<T> type) {
        return serde(MAPPER.getTypeFactory().constructType(type));
    }

    /** A Kafka serde that stores a generic type (a list of views, for example) as UTF-8 JSON. */
    public static <T> Serde<T> serde(TypeReference<T> type) {
        return serde(MAPPER.getTypeFactory().constructType(type));
    }

    private static <T> Serde<T> serde(JavaType type) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot write " + type + " as JSON", e);
            }
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return MAPPER.readValue(bytes, type);
            } catch (IOException e) {
                throw new SerializationException("cannot read " + type + " from JSON", e);
            }
        });
    }
}
