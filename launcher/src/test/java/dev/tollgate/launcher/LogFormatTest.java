package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.logging.RunLogContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The launcher's log4j2.properties (not the tests' configuration): {@code TOLLGATE_LOG_FORMAT=json} selects the JSON
 * layout, whose lines are valid JSON with an ISO timestamp and the run's {@code runId} and {@code traceId} from the
 * MDC; the text layout prints the same; anything else is refused by name.
 */
class LogFormatTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void theJsonFormatWritesOneValidJsonObjectPerLineWithTheRunAndTraceFromTheMdc() throws Exception {
        String out = logOneLine("json");
        JsonNode line = MAPPER.readTree(out.strip());
        assertThat(out.strip().lines()).hasSize(1);
        assertThat(line.path("message").asText()).isEqualTo("decided tool call c-1");
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("runId").asText()).isEqualTo("run-42");
        assertThat(line.path("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(OffsetDateTime.parse(line.path("@timestamp").asText()).getOffset().getTotalSeconds()).isZero();
        assertThat(line.path("logger").asText()).isEqualTo("dev.tollgate.policy.RunProcessor");
    }

    @Test
    void theTextFormatHasAnIsoTimestampAndTheRunAndTrace() throws Exception {
        String out = logOneLine("text");
        assertThat(out).matches("(?s)\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z INFO .*"
                + "RunProcessor runId=run-42 traceId=4bf92f3577b34da6a3ce929d0e0e4736 - decided tool call c-1\\R");
    }

    @Test
    void selectsTextByDefaultAndRefusesAnUnknownFormatByName() {
        assertThat(LogFormat.select(null)).isEqualTo("text");
        assertThat(LogFormat.select(" JSON ")).isEqualTo("json");
        assertThatThrownBy(() -> LogFormat.select("xml")).hasMessageContaining("TOLLGATE_LOG_FORMAT")
                .hasMessageContaining("xml");
    }

    @Test
    void theRunContextRestoresTheMdcItReplaced() {
        MDC.put(RunLogContext.RUN_ID, "outer");
        try (RunLogContext ignored = RunLogContext.of("inner", "not-a-traceparent")) {
            assertThat(MDC.get(RunLogContext.RUN_ID)).isEqualTo("inner");
            assertThat(MDC.get(RunLogContext.TRACE_ID)).isNull();
        }
        assertThat(MDC.get(RunLogContext.RUN_ID)).isEqualTo("outer");
        MDC.remove(RunLogContext.RUN_ID);
    }

    /** Loads the production log4j2.properties with the format selected, logs one line about a run, returns it. */
    private static String logOneLine(String format) throws Exception {
        String previous = System.getProperty(LogFormat.PROPERTY);
        System.setProperty(LogFormat.PROPERTY, format);
        LoggerContext context = new LoggerContext("log-format-test-" + format);
        try {
            URI uri = LogFormatTest.class.getResource("/log4j2.properties").toURI();
            Configuration configuration = ConfigurationFactory.getInstance().getConfiguration(context,
                    ConfigurationSource.fromUri(uri));
            context.start(configuration);
            Map<String, Appender> appenders = configuration.getRootLogger().getAppenders();
            assertThat(appenders).containsOnlyKeys(format);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            OutputStreamAppender capture = OutputStreamAppender.newBuilder().setName("capture")
                    .setLayout(appenders.get(format).getLayout()).setTarget(new PrintStream(bytes, true,
                            StandardCharsets.UTF_8)).build();
            capture.start();
            configuration.getRootLogger().removeAppender(format);
            configuration.getLoggerConfig("dev.tollgate").addAppender(capture, Level.INFO, null);
            context.updateLoggers();
            Logger logger = context.getLogger("dev.tollgate.policy.RunProcessor");
            try (RunLogContext ignored = RunLogContext.of("run-42", TRACEPARENT)) {
                logger.info("decided tool call {}", "c-1");
            }
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            context.stop();
            if (previous == null) {
                System.clearProperty(LogFormat.PROPERTY);
            } else {
                System.setProperty(LogFormat.PROPERTY, previous);
            }
        }
    }
}
