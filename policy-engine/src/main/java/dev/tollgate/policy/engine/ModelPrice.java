package dev.tollgate.policy.engine;

/**
 * A model a run may report usage for, priced in micro-USD per 1000 tokens.
 *
 * @param name        model name
 * @param inputPer1k  price of 1000 input tokens
 * @param outputPer1k price of 1000 output tokens
 */
public record ModelPrice(String name, long inputPer1k, long outputPer1k) {

    /** Cost in micro-USD of a usage report: tokens / 1000 * price, rounded up so usage never rounds to free. */
    public long costMicros(long inputTokens, long outputTokens) {
        return ceilDiv(Math.multiplyExact(inputTokens, inputPer1k), 1000)
                + ceilDiv(Math.multiplyExact(outputTokens, outputPer1k), 1000);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
