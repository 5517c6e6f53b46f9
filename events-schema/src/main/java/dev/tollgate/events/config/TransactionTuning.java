package dev.tollgate.events.config;

/**
 * Settings of a transactional producer that begins its next transaction as soon as the last one committed (the
 * tool gateway's under load), chosen by measurement. Set as defaults that a {@code kafka.*} client setting of the
 * operator overrides. The Kafka Streams apps keep Streams' defaults: with 5 ms in the policy-processor, the bench's
 * governed latency and maximum did not change beyond the noise (docs/benchmarks.md).
 */
public final class TransactionTuning {

    /**
     * {@code retry.backoff.ms} of a transactional producer. A transaction begun right after a commit meets the
     * coordinator still completing that commit (writing its markers): the broker answers
     * {@code CONCURRENT_TRANSACTIONS} to the offsets (or the first send) of the new transaction, and the client tries
     * again after {@code retry.backoff.ms}, 100 ms by default. Back-to-back transactions with offsets, on the embedded
     * broker of a 2-core machine ({@code tollgate bench}'s {@code txn} section): p50 110 ms per transaction at the
     * default, 10.5 ms at 5 ms. Backoff still grows exponentially up to {@code retry.backoff.max.ms} for errors
     * that last.
     */
    public static final String RETRY_BACKOFF_MS = "5";

    private TransactionTuning() {
    }
}
