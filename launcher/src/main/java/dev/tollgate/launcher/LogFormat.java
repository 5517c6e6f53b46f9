package dev.tollgate.launcher;

import java.util.Locale;

/**
 * The log layout chosen by {@code TOLLGATE_LOG_FORMAT}: {@code text} (the default; ISO-8601 timestamps, runId and
 * traceId from the MDC) or {@code json} (one JSON object per line). log4j2.properties names one appender per format
 * and routes the root logger to the one in the system property {@link #PROPERTY}, which {@link Tollgate#main} sets
 * before the first logger is created.
 */
final class LogFormat {

    /** The system property log4j2.properties reads. */
    static final String PROPERTY = "tollgate.log.format";
    /** The environment variable operators set. */
    static final String ENV = "TOLLGATE_LOG_FORMAT";

    private LogFormat() {
    }

    /** The appender name for {@code value} ({@code null} or blank: text); anything else is a usage error. */
    static String select(String value) {
        if (value == null || value.isBlank()) {
            return "text";
        }
        String format = value.trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException(ENV + " must be text or json, not '" + value + "'");
        }
        return format;
    }
}
