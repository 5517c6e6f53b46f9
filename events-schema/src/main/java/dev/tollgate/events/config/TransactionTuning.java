package dev.tollgate.events.config;

/**
 * Settings of Tollgate's transactional producers (the gateway's, and those of the Kafka Streams apps with
 * {@code exactly_once_v2}), chosen by measurement. Services set them as defaults that a {@code kafka.*} client setting
 * of the operator overrides.
 */
public final class TransactionTuning {

    /**
     * {@code retry.backoff.ms} of a transactional producer. A transaction begun right after a commit meets the
     * coordinator still completing that commit (writing its markers): the broker answers
     * {@code CONCURRENT_TRANSACTIONS} to the offsets (or the first send) of the new transaction, and the client tries
     * again after {@code retry.backoff.ms}, 100 ms by default. Back-to-back transactions with offsets, on the embedded
     * broker of a 2-core machine: p50 109 ms per transaction at the default, 10-14 ms at 1-5 ms
     * (docs/benchmarks.md). Backoff still grows exponentially up to {@code retry.backoff.max.ms} for errors that
     * last.
     */
    public static final String RETRY_BACKOFF_MS = "5";

    private TransactionTuning() {
    }
}
