package dev.tollgate.intake.command;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W3C Trace Context: a request's {@code traceparent} is carried into its command when it is valid; otherwise
 * intake starts a trace (a fresh trace id and span id, sampled).
 */
public final class Traceparent {

    private static final Pattern SHAPE = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Traceparent() {
    }

    /** The header if it is a valid traceparent, else a new one. */
    public static String fromHeaderOrStart(String header) {
        return valid(header) ? header : start();
    }

    public static boolean valid(String header) {
        if (header == null) {
            return false;
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.matches() || m.group(1).equals("ff")) {
            return false;
        }
        if (m.group(1).equals("00") && header.length() != 55) {
            return false;
        }
        return !m.group(2).equals("0".repeat(32)) && !m.group(3).equals("0".repeat(16));
    }

    public static String start() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        RANDOM.nextBytes(trace);
        RANDOM.nextBytes(span);
        trace[0] |= 1;
        span[0] |= 1;
        return "00-" + HEX.formatHex(trace) + "-" + HEX.formatHex(span) + "-01";
    }
}
