package dev.tollgate.events.dlq;

import dev.tollgate.events.metrics.ServiceMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that will not deserialize to {@code tollgate.dlq.v1} with the reason, source topic, partition and
 * offset in headers, and continues. With exactly-once the dead letter is produced in the same transaction as the
 * task's output, so it is never lost and never duplicated. On the global thread (global stores), which cannot take
 * dead-letter records, the handler writes them itself (see {@link GlobalDeadLetters}). Streams counts each such record in its
 * {@code dropped-records-total} metric.
 */
public class DlqDeserializationExceptionHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DlqDeserializationExceptionHandler.class);
    private String application = "";
    private GlobalDeadLetters global;
    private MeterRegistry meters;

    @Override
    public void configure(Map<String, ?> configs) {
        application = DeadLetters.applicationId(configs);
        global = new GlobalDeadLetters(configs);
        meters = ServiceMeters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        LOG.warn("Dead-lettering undeserializable record from {}-{}@{}: {}", record.topic(), record.partition(),
                record.offset(), exception.toString());
        ServiceMeters.deadLetter(meters, record.topic(), "deserialization");
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetters.record(application, "deserialization", record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), record.headers(), exception);
        if (GlobalDeadLetters.isGlobal(context.taskId())) {
            return global.write(deadLetter, record.topic(), record.partition(), record.offset())
                    ? Response.resume() : Response.fail();
        }
        return Response.resume(List.of(deadLetter));
    }
}
