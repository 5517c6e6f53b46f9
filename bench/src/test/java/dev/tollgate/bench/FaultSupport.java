package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.projector.verify.LedgerReader;
import dev.tollgate.projector.verify.LedgerReport;
import dev.tollgate.projector.verify.LedgerVerifier;
import dev.tollgate.projector.verify.RawLedgerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Fixtures of the fault tests: a steady governed load on its own thread, a live count of the decisions committed
 * on the ledger, and the audit of the raw ledger afterwards (exactly one decision per command, intact chains, no
 * seq gaps, one dispatch per approval).
 */
final class FaultSupport {

    private FaultSupport() {
    }

    /** A producer that keeps retrying through a broker outage (acks=all, idempotent, 5 min delivery timeout). */
    static KafkaProducer<String, byte[]> patientProducer(String bootstrap) {
        Properties props = RawBaseline.producerProps(bootstrap, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
        return new KafkaProducer<>(props);
    }

    /** Sends the workload's ticks at a fixed rate on its own thread until stopped; every send must be acked. */
    static final class SteadyLoad implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final GovernedLoad load;
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicLong acked = new AtomicLong();
        private final List<Exception> failures = new CopyOnWriteArrayList<>();

        SteadyLoad(String bootstrap, TollgateSerdes serdes, GovernedWorkload workload, IntakeSigner signer,
                   double ticksPerSecond) {
            this.producer = patientProducer(bootstrap);
            this.load = new GovernedLoad(workload, producer, serdes, signer, (metadata, error) -> {
                if (error != null) {
                    failures.add(error);
                } else {
                    acked.incrementAndGet();
                }
            });
            this.thread = new Thread(() -> {
                Pacer pacer = new Pacer(ticksPerSecond);
                while (!stop.get()) {
                    pacer.awaitNext();
                    load.send(sent.get());
                    sent.incrementAndGet();
                }
                load.flush();
            }, "steady-load");
            thread.setDaemon(true);
        }

        SteadyLoad start() {
            thread.start();
            return this;
        }

        int sent() {
            return sent.get();
        }

        long acked() {
            return acked.get();
        }

        /** Stops sending, flushes and returns how many ticks were sent; fails if any send failed. */
        int stop() throws InterruptedException {
            stop.set(true);
            thread.join(330_000);
            assertThat(failures).as("every command was acknowledged by the broker").isEmpty();
            return sent.get();
        }

        @Override
        public void close() {
            stop.set(true);
            join(thread);
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Counts, on its own thread, the committed ledger events of one workload's runs. */
    static final class LedgerCounter implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final GovernedWorkload workload;
        private final AtomicLong count = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        LedgerCounter(String bootstrap, GovernedWorkload workload) {
            Properties props = RawBaseline.consumerProps(bootstrap);
            props.put("reconnect.backoff.max.ms", 1000);
            this.consumer = new KafkaConsumer<>(props);
            this.workload = workload;
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.LEDGER.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            this.thread = new Thread(() -> {
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        if (workload.ownsRun(record.key())) {
                            count.incrementAndGet();
                        }
                    }
                }
                consumer.close();
            }, "ledger-counter");
            thread.setDaemon(true);
            thread.start();
        }

        long count() {
            return count.get();
        }

        @Override
        public void close() {
            stop.set(true);
            FaultSupport.join(thread);
        }
    }

    /**
     * Reads the whole ledger and dispatch topics raw and checks the workload's first {@code ticks} ticks: every
     * command answered by exactly one ledger event (causationId), nothing else in those runs, every chain valid
     * by {@link LedgerVerifier} (seq 1, 2, 3… without gaps or duplicates, prevHash = previous hash, header = body
     * hash), and exactly one dispatch per approved call. Returns the number of ledger events checked.
     */
    static long audit(String bootstrap, TollgateSerdes serdes, GovernedWorkload workload, int ticks) {
        Set<String> expected = new HashSet<>();
        for (int n = 0; n < ticks; n++) {
            workload.commands(n, Instant.EPOCH).forEach(c -> expected.add(c.getCommandId()));
        }
        Map<String, Integer> answers = new HashMap<>();
        LedgerVerifier.AllRuns chains = new LedgerVerifier(serdes.value(Topics.LEDGER).deserializer(),
                keyId -> Optional.empty()).allRuns();
        Set<String> approved = new HashSet<>();
        long[] events = {0};
        try (LedgerReader reader = new LedgerReader(bootstrap, Duration.ofMinutes(2))) {
            reader.readAll(record -> {
                if (!workload.ownsRun(record.key())) {
                    return;
                }
                events[0]++;
                chains.accept(record);
                LedgerEvent event = decode(serdes, record);
                answers.merge(event.getCausationId(), 1, Integer::sum);
                if (event.getPayload() instanceof ToolCallApproved a) {
                    approved.add(event.getRunId() + "/" + a.getCallId());
                }
            });
        }
        LedgerReport report = chains.report();
        assertThat(report.broken()).as("broken chains").isEmpty();
        assertThat(report.valid()).isTrue();
        assertThat(answers.entrySet()).as("commands answered more than once")
                .filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(answers.keySet()).as("ledger events answering no command sent").isSubsetOf(expected);
        assertThat(expected).as("commands never answered").isSubsetOf(answers.keySet());
        assertThat(events[0]).isEqualTo(workload.commandCount(ticks));

        List<String> dispatched = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(RawBaseline.consumerProps(bootstrap))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DISPATCH.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (workload.ownsRun(record.key())) {
                        ToolCallDispatch d = serdes.value(Topics.DISPATCH).deserializer().deserialize(
                                record.topic(), record.value());
                        dispatched.add(d.getRunId() + "/" + d.getCallId());
                    }
                }
            }
        }
        assertThat(dispatched).as("dispatches").doesNotHaveDuplicates();
        assertThat(new HashSet<>(dispatched)).as("one dispatch per approval").isEqualTo(approved);
        return events[0];
    }

    /** Joins a helper thread for up to 10 s on close, keeping the interrupt flag. */
    static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static LedgerEvent decode(TollgateSerdes serdes, RawLedgerRecord record) {
        return serdes.value(Topics.LEDGER).deserializer().deserialize(Topics.LEDGER.name(), record.value());
    }
}
