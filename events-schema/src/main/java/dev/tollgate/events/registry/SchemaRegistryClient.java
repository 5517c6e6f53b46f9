package dev.tollgate.events.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that Tollgate's serdes use. Implementations cache: a schema
 * id never changes its schema, so a lookup by id happens once per id.
 */
public interface SchemaRegistryClient {

    /** Registers (or finds) {@code schema} under {@code subject} and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with global id {@code id}. */
    Schema schemaById(int id);

    /** All subjects. */
    List<String> subjects();
}
