package dev.tollgate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
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
 * one RocksDB put per record, map, write) under {@code exactly_once_v2} with the same commit interval as the
 * policy-processor. The governed path cannot be faster than this; the report gives governed ÷ this ratio.
 */
final class EosBaseline {

    static final String INPUT = "tollgate-bench.eos-in.v1";
    static final String OUTPUT = "tollgate-bench.eos-out.v1";
    static final String STORE = "bench-count-store";

    private EosBaseline() {
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

    static BenchResult run(String bootstrap, double rate, Duration warmup, Duration measure, int recordBytes,
                           int partitions, int lingerMs, long commitIntervalMs) throws Exception {
        RawBaseline.createTopic(bootstrap, INPUT, partitions);
        RawBaseline.createTopic(bootstrap, OUTPUT, partitions);
        Path stateDir = Files.createTempDirectory("tollgate-bench-eos");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tollgate-bench-eos-v1-" + System.nanoTime());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.producerPrefix("linger.ms"), lingerMs);
        props.put(StreamsConfig.consumerPrefix("fetch.max.wait.ms"), 10);
        KafkaStreams streams = new KafkaStreams(topology(), props);
        streams.start();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(RawBaseline.producerProps(bootstrap, lingerMs));
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.sleep(20);
            }
            return FixedRateRun.run("baseline-eos", rate, warmup, measure, recordBytes, producer, INPUT, partitions,
                    consumer, OUTPUT);
        } finally {
            streams.close(Duration.ofSeconds(10));
            streams.cleanUp();
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
