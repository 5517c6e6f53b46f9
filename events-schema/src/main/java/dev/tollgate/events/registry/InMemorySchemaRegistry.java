package dev.tollgate.events.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A schema registry held in this process's memory: ids are assigned in registration order, one per distinct
 * canonical schema. For TopologyTestDriver tests and offline tools that read and write bytes without a registry
 * server; services use {@link RestSchemaRegistryClient}.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final Map<String, Integer> idsBySchema = new LinkedHashMap<>();
    private final Map<Integer, Schema> schemasById = new LinkedHashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        String canonical = CanonicalSchema.of(schema);
        int id = idsBySchema.computeIfAbsent(canonical, key -> {
            int next = idsBySchema.size() + 1;
            schemasById.put(next, new Schema.Parser().parse(canonical));
            return next;
        });
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, 40403, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }
}
