package dev.tollgate.gateway;

import dev.tollgate.events.ToolDefinition;
import dev.tollgate.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes upstream tool definitions to the compacted {@code tollgate.tool-catalog.v1}, keyed by tool name, with its
 * own idempotent (non-transactional) producer: the catalog is a latest-value view, not part of a call's outcome.
 */
final class CatalogPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogPublisher.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<ToolDefinition> serializer;

    CatalogPublisher(Properties props, Serializer<ToolDefinition> serializer) {
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.serializer = serializer;
    }

    void publish(List<ToolDefinition> definitions) {
        for (ToolDefinition def : definitions) {
            producer.send(new ProducerRecord<>(Topics.TOOL_CATALOG.name(), def.getName().getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(Topics.TOOL_CATALOG.name(), def)), (metadata, e) -> {
                        if (e != null) {
                            LOG.error("cannot publish the definition of {} to the tool catalog: {}", def.getName(),
                                    e.toString());
                        }
                    });
            LOG.info("tool catalog: {} from {} sha256 {}", def.getName(), def.getSource(), def.getSha256());
        }
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
