package dev.tollgate.events.dlq;

import dev.tollgate.events.metrics.ServiceMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unexpected exception while processing one record sends that record's source bytes to {@code tollgate.dlq.v1}
 * and processing continues. Exceptions that mean the state itself is corrupt or unreachable fail the client
 * instead of limping on.
 */
public class DlqProcessingExceptionHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DlqProcessingExceptionHandler.class);
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
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof ProcessorStateException || exception instanceof InvalidStateStoreException) {
            LOG.error("State failure in {} at {}-{}@{}; failing the client", context.processorNodeId(),
                    context.topic(), context.partition(), context.offset(), exception);
            return Response.fail();
        }
        // One line, no stack trace (the record and its reason are on the DLQ); the trace only at DEBUG.
        LOG.warn("Dead-lettering record from {}-{}@{} after an exception in {}: {}", context.topic(),
                context.partition(), context.offset(), context.processorNodeId(), exception.toString());
        LOG.debug("Dead-lettered record from {}-{}@{}", context.topic(), context.partition(), context.offset(),
                exception);
        ServiceMeters.deadLetter(meters, context.topic(), "processing");
        ProducerRecord<byte[], byte[]> deadLetter = DeadLetters.record(application,
                "processing:" + context.processorNodeId(), context.topic(), context.partition(), context.offset(),
                context.sourceRawKey(), context.sourceRawValue(), context.headers(), exception);
        if (GlobalDeadLetters.isGlobal(context.taskId())) {
            return global.write(deadLetter, context.topic(), context.partition(), context.offset())
                    ? Response.resume() : Response.fail();
        }
        return Response.resume(List.of(deadLetter));
    }
}
