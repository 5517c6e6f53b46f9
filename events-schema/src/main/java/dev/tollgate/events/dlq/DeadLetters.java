package dev.tollgate.events.dlq;

import dev.tollgate.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Records for {@code tollgate.dlq.v1}: the original key and value bytes, untouched, with headers that say where
 * the record came from and why it could not be processed. Any service may write the DLQ.
 */
public final class DeadLetters {

    public static final String REASON = "tollgate.dlq.reason";
    public static final String ERROR_CLASS = "tollgate.dlq.error.class";
    public static final String SOURCE_TOPIC = "tollgate.dlq.source.topic";
    public static final String SOURCE_PARTITION = "tollgate.dlq.source.partition";
    public static final String SOURCE_OFFSET = "tollgate.dlq.source.offset";
    public static final String APPLICATION = "tollgate.dlq.application";
    public static final String STAGE = "tollgate.dlq.stage";
    /** The stable reason code of a record refused by a rule (e.g. COMMAND_UNAUTHENTICATED), when there is one. */
    public static final String REASON_CODE = "tollgate.dlq.reason.code";

    private static final int MAX_REASON_CHARS = 2000;

    private DeadLetters() {
    }

    /**
     * A dead-letter record for {@code tollgate.dlq.v1}. The original headers are kept; the DLQ headers are added.
     *
     * @param stage where it failed: {@code deserialization}, {@code processing}, ...
     */
    public static ProducerRecord<byte[], byte[]> record(String application, String stage, String sourceTopic,
                                                        int partition, long offset, byte[] key, byte[] value,
                                                        Headers original, Throwable error) {
        Headers headers = headers(application, stage, sourceTopic, partition, offset, original, reason(error),
                error == null ? "unknown" : error.getClass().getName());
        return new ProducerRecord<>(Topics.DLQ.name(), null, key, value, headers);
    }

    /**
     * The headers of a dead letter: the original ones, then where it came from and why. A record refused by a rule
     * rather than by an exception names the rule's stable code as {@code errorClass} (and in {@link #REASON_CODE}).
     */
    public static Headers headers(String application, String stage, String sourceTopic, int partition, long offset,
                                  Headers original, String reason, String errorClass) {
        Headers headers = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                headers.add(header);
            }
        }
        String bounded = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        headers.add(REASON, utf8(bounded));
        headers.add(ERROR_CLASS, utf8(errorClass));
        headers.add(SOURCE_TOPIC, utf8(sourceTopic == null ? "" : sourceTopic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
        headers.add(APPLICATION, utf8(application == null ? "" : application));
        headers.add(STAGE, utf8(stage));
        return headers;
    }

    /** The reason of an error: its message and the messages of its causes, bounded in length. */
    public static String reason(Throwable error) {
        if (error == null) {
            return "unknown";
        }
        StringBuilder reason = new StringBuilder();
        for (Throwable t = error; t != null && reason.length() < MAX_REASON_CHARS; t = t.getCause()) {
            if (reason.length() > 0) {
                reason.append(" <- ");
            }
            reason.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason.toString();
    }

    /** The Streams application id from a handler's configs, recorded on each dead letter. */
    static String applicationId(java.util.Map<String, ?> configs) {
        Object id = configs.get(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG);
        return id == null ? "" : id.toString();
    }

    /** The value of a DLQ header as text, if present. */
    public static Optional<String> header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

}
