package dev.tollgate.projector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.tollgate.ledger.model.Json;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka serdes that store the ledger-model views as UTF-8 JSON ({@link Json#MAPPER}) in the projector's stores. */
public final class JsonSerde {

    private JsonSerde() {
    }

    /** A serde of {@code type} as UTF-8 JSON. */
    public static <T> Serde<T> of(Class<T> type) {
        return of(Json.MAPPER.getTypeFactory().constructType(type));
    }

    /** A serde of a generic type (a list of views, for example) as UTF-8 JSON. */
    public static <T> Serde<T> of(TypeReference<T> type) {
        return of(Json.MAPPER.getTypeFactory().constructType(type));
    }

    private static <T> Serde<T> of(JavaType type) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return Json.MAPPER.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot write " + type + " as JSON", e);
            }
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Json.MAPPER.readValue(bytes, type);
            } catch (IOException e) {
                throw new SerializationException("cannot read " + type + " from JSON", e);
            }
        });
    }
}
