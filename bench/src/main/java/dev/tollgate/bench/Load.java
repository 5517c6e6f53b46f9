package dev.tollgate.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a measurement drives: how operation {@code n} is sent, and which operation a record read back answers.
 * Implemented by the raw and exactly-once baselines (one record in, one out) and by the governed workload (a tool
 * call in, its decision out on the ledger).
 */
interface Load {

    /** Sends operation {@code n} (0-based); called from one thread, in order. */
    void send(int n);

    /** The operation this output record answers, or -1 when it answers none of this load's. */
    int answered(ConsumerRecord<String, byte[]> record);

    /** Pushes out anything the sender buffered. */
    void flush();
}
