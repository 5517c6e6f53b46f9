package dev.tollgate.projector.api;

import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the query API needs from Kafka Streams: readiness, which instance owns a key, the other instances, and this
 * instance's stores. The application implements it over {@code KafkaStreams}; route tests over a
 * {@code TopologyTestDriver}.
 */
public interface ProjectionStores {

    /** Whether the projection can be queried now (Streams is RUNNING, not rebalancing or restoring). */
    boolean ready();

    /** This instance's {@code host:port} as other instances reach it. */
    String self();

    /** The instance that owns {@code key} of {@code store} now. */
    Owner owner(String store, String key);

    /** The other instances that hold partitions of {@code store}, as {@code host:port}. */
    List<String> otherInstances(String store);

    /**
     * A read-only view of this instance's part of {@code store}.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store is migrating
     */
    <V> ReadOnlyKeyValueStore<String, V> local(String store);

    /** The owner of a key: this instance, another one, or nobody right now (a rebalance). */
    record Owner(Kind kind, String hostPort) {

        /** Where a key lives. */
        public enum Kind { LOCAL, REMOTE, UNAVAILABLE }

        public static final Owner LOCAL = new Owner(Kind.LOCAL, null);
        public static final Owner UNAVAILABLE = new Owner(Kind.UNAVAILABLE, null);

        public static Owner remote(String hostPort) {
            return new Owner(Kind.REMOTE, hostPort);
        }
    }
}
