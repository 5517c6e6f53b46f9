package dev.tollgate.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Where the stream threads of one Kafka Streams application in this JVM spent a measurement, from Kafka's own
 * cumulative metrics (JMX): time blocked on Kafka, and of it the exactly-once commit's producer flush, offsets sent
 * to the transaction and the commit itself; the number of commits, and the records the threads' producers sent. At
 * saturation a stream thread alternates between processing and committing, so these say whether a ceiling is set
 * by CPU per record or by the commit.
 */
final class StreamThreadTime {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final String[][] COUNTERS = {
        {"stream-thread-metrics", "blocked-time-ns-total"},
        {"stream-thread-metrics", "commit-total"},
        {"stream-thread-metrics", "process-total"},
        {"producer-metrics", "flush-time-ns-total"},
        {"producer-metrics", "txn-send-offsets-time-ns-total"},
        {"producer-metrics", "txn-commit-time-ns-total"},
        {"producer-metrics", "record-send-total"},
        {"producer-metrics", "request-total"},
    };

    private final Map<String, Double> totals;

    private StreamThreadTime(Map<String, Double> totals) {
        this.totals = totals;
    }

    /** The counters' totals now, summed over the application's stream threads (and their producers). */
    static StreamThreadTime snapshot(String applicationId) {
        Map<String, Double> totals = new LinkedHashMap<>();
        for (String[] counter : COUNTERS) {
            totals.put(counter[1], sum(applicationId, counter[0], counter[1]));
        }
        return new StreamThreadTime(totals);
    }

    /**
     * What happened between {@code before} and this snapshot, per call of a run of {@code calls}: microseconds blocked,
     * flushing, sending offsets and committing; commits; calls per commit; records sent per call.
     */
    Map<String, Double> perCallSince(StreamThreadTime before, int calls) {
        Map<String, Double> out = new LinkedHashMap<>();
        double commits = delta(before, "commit-total");
        out.put("blockedMicros", round(delta(before, "blocked-time-ns-total") / 1000.0 / calls));
        out.put("flushMicros", round(delta(before, "flush-time-ns-total") / 1000.0 / calls));
        out.put("sendOffsetsMicros", round(delta(before, "txn-send-offsets-time-ns-total") / 1000.0 / calls));
        out.put("commitTxnMicros", round(delta(before, "txn-commit-time-ns-total") / 1000.0 / calls));
        out.put("commits", commits);
        out.put("callsPerCommit", commits > 0 ? round(calls / commits) : Double.NaN);
        out.put("commitMillis", commits > 0 ? round((delta(before, "flush-time-ns-total")
                + delta(before, "txn-send-offsets-time-ns-total") + delta(before, "txn-commit-time-ns-total"))
                / 1e6 / commits) : Double.NaN);
        out.put("recordsSentPerCall", round(delta(before, "record-send-total") / calls));
        out.put("produceRequestsPerCommit", commits > 0 ? round(delta(before, "request-total") / commits)
                : Double.NaN);
        return out;
    }

    private double delta(StreamThreadTime before, String name) {
        return totals.get(name) - before.totals.get(name);
    }

    private static double sum(String applicationId, String type, String attribute) {
        double total = 0;
        ObjectName pattern;
        try {
            pattern = new ObjectName("kafka.*:type=" + type + ",*");
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
        for (ObjectName name : SERVER.queryNames(pattern, null)) {
            if (!name.getCanonicalName().contains(applicationId)) {
                continue;
            }
            try {
                Object value = SERVER.getAttribute(name, attribute);
                if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
                    total += number.doubleValue();
                }
            } catch (JMException e) {
                // A bean of this type without the attribute (the global stream thread commits nothing): not counted.
            }
        }
        return total;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
