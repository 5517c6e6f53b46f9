package dev.tollgate.bench;

import dev.tollgate.policy.PolicyProcessorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Baseline 2: the cost of exactly-once Kafka Streams with state, without governance. A trivial topology (read,
 * one RocksDB read-modify-write per record in {@value #STORE}, map, write) under {@code exactly_once_v2}, with the
 * same commit interval and producer/consumer overrides as the governed processor. Reads {@value #INPUT}, writes
 * {@value #OUTPUT}. The governed path cannot be faster than this; the report gives governed ÷ this ratio.
 */
final class EosBaseline implements AutoCloseable {

    static final String INPUT = "tollgate-bench.eos-in.v1";
    static final String OUTPUT = "tollgate-bench.eos-out.v1";
    static final String STORE = "bench-count-store";

    private final KafkaStreams streams;
    private final Path stateDir;

    private final String applicationId;

    /** The baseline's application id (its stream threads are named after it). */
    String applicationId() {
        return applicationId;
    }

    private EosBaseline(KafkaStreams streams, Path stateDir, String applicationId) {
        this.applicationId = applicationId;
        this.streams = streams;
        this.stateDir = stateDir;
    }

    static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), Serdes.Long()));
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-bench-input"))
                .process(CountingProcessor::new, Named.as("count-record"), STORE)
                .mapValues(value -> value, Named.as("map-record"))
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("write-bench-output"));
        return builder.build();
    }

    /** Starts the topology and returns once it is RUNNING (a state listener opens the latch). */
    static EosBaseline start(BenchSettings settings, String bootstrap) throws InterruptedException {
        RawBaseline.createTopic(bootstrap, INPUT, settings.partitions());
        RawBaseline.createTopic(bootstrap, OUTPUT, settings.partitions());
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("tollgate-bench-eos");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        String applicationId = "tollgate-bench-eos-v1-" + System.currentTimeMillis();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
        // The processor's poll timeout and linger for the same interval, so neither side waits longer for its commit.
        props.put(StreamsConfig.POLL_MS_CONFIG, PolicyProcessorConfig.pollMs(settings.commitIntervalMs()));
        props.put(StreamsConfig.producerPrefix("linger.ms"),
                PolicyProcessorConfig.producerLingerMs(settings.commitIntervalMs()));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        for (Map.Entry<String, String> entry : settings.streamsOverrides().entrySet()) {
            props.put(entry.getKey(), entry.getValue());
        }
        KafkaStreams streams = new KafkaStreams(topology(), props);
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        EosBaseline baseline = new EosBaseline(streams, stateDir, applicationId);
        if (!running.await(120, TimeUnit.SECONDS)) {
            baseline.close();
            throw new IllegalStateException("the exactly-once baseline topology is not RUNNING after 120 s: "
                    + streams.state());
        }
        return baseline;
    }

    BenchResult fixedRate(BenchSettings settings, String bootstrap, double rate, int recordBytes)
            throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(RawBaseline.producerProps(bootstrap, settings.lingerMs()));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            return FixedRateRun.run("baseline-eos", rate, settings.warmup(), settings.duration(), settings.drain(),
                    new RawBaseline.SequencedRecords(producer, INPUT, settings.partitions(), recordBytes), consumer,
                    OUTPUT);
        }
    }

    BenchResult throughput(BenchSettings settings, String bootstrap, int count, int recordBytes)
            throws InterruptedException {
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(RawBaseline.producerProps(bootstrap, 5));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            return FixedRateRun.throughput("baseline-eos-max", count, settings.drain().multipliedBy(4),
                    new RawBaseline.SequencedRecords(producer, INPUT, settings.partitions(), recordBytes), consumer,
                    OUTPUT);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
        streams.cleanUp();
        try {
            Files.deleteIfExists(stateDir);
        } catch (IOException e) {
            // a temporary directory; the OS cleans it
        }
    }

    /** One RocksDB read-modify-write per record, as a governed decision does at least once. */
    static final class CountingProcessor implements Processor<String, byte[], String, byte[]> {
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, Long> store;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Long count = store.get(record.key());
            store.put(record.key(), count == null ? 1 : count + 1);
            context.forward(record);
        }
    }
}
