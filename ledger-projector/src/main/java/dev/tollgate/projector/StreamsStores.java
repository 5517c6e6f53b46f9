package dev.tollgate.projector;

import dev.tollgate.projector.api.ProjectionStores;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** {@link ProjectionStores} over a running {@link KafkaStreams}: interactive queries and its instance metadata. */
final class StreamsStores implements ProjectionStores {

    private final KafkaStreams streams;
    private final HostInfo self;

    StreamsStores(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    @Override
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public String self() {
        return self.host() + ":" + self.port();
    }

    @Override
    public Owner owner(String store, String key) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE
                || metadata.activeHost() == null || metadata.activeHost().equals(HostInfo.unavailable())) {
            return Owner.UNAVAILABLE;
        }
        if (metadata.activeHost().equals(self)) {
            return Owner.LOCAL;
        }
        return Owner.remote(metadata.activeHost().host() + ":" + metadata.activeHost().port());
    }

    @Override
    public List<String> otherInstances(String store) {
        return streams.streamsMetadataForStore(store).stream()
                .map(StreamsMetadata::hostInfo)
                .filter(host -> !Objects.equals(host, self))
                .map(host -> host.host() + ":" + host.port())
                .distinct()
                .toList();
    }

    @Override
    public <V> ReadOnlyKeyValueStore<String, V> local(String store) {
        return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
    }
}
