package dev.tollgate.kafka;

import dev.tollgate.events.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics of the Tollgate contract that do not exist yet, each with the partition count and configs of
 * its {@link TopicSpec}, and the broker's default replication factor. Idempotent: an existing topic is left as it
 * is, even when it differs from its spec (changing a live topic is a migration, not a start-up step), with one
 * exception: its {@code message.timestamp.type} is brought to the spec's. That setting only decides which clock
 * time retention counts from; a topic created before it was part of the spec would otherwise keep deleting records
 * whose producer stamped an old event time before their consumer sees them.
 */
public final class TopicProvisioner {

    private static final Duration VISIBLE_TIMEOUT = Duration.ofSeconds(30);
    private static final long RETRY_NANOS = Duration.ofMillis(20).toNanos();

    private TopicProvisioner() {
    }

    /**
     * Creates every topic of {@code topics} that is missing and returns the names it created, once the broker
     * that {@code admin} talks to knows them (so producers and consumers started next see them at once).
     */
    public static List<String> createMissing(Admin admin, Collection<? extends TopicSpec<?, ?>> topics) {
        return createMissing(admin, topics, Optional.empty());
    }

    /**
     * As {@link #createMissing(Admin, Collection)}, with {@code replicationFactor} replicas per partition (empty: the
     * broker's default).
     */
    public static List<String> createMissing(Admin admin, Collection<? extends TopicSpec<?, ?>> topics,
                                             Optional<Short> replicationFactor) {
        List<NewTopic> requests = new ArrayList<>();
        for (TopicSpec<?, ?> spec : topics) {
            requests.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), replicationFactor)
                    .configs(spec.configs()));
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(requests).values();
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get();
                created.add(result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + result.getKey(), e);
            }
        }
        awaitVisible(admin, topics.stream().map(TopicSpec::name).toList());
        alignTimestampTypes(admin, topics.stream().filter(t -> !created.contains(t.name())).toList());
        return created;
    }

    /**
     * Sets {@code message.timestamp.type} on each existing topic of {@code topics} whose spec names one and whose
     * broker config differs, and returns the names it changed.
     */
    public static List<String> alignTimestampTypes(Admin admin, Collection<? extends TopicSpec<?, ?>> topics) {
        Map<ConfigResource, String> wanted = new LinkedHashMap<>();
        for (TopicSpec<?, ?> spec : topics) {
            String type = spec.configs().get(TopicSpec.TIMESTAMP_TYPE);
            if (type != null) {
                wanted.put(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()), type);
            }
        }
        if (wanted.isEmpty()) {
            return List.of();
        }
        try {
            Map<ConfigResource, Config> current = admin.describeConfigs(wanted.keySet()).all().get();
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
            wanted.forEach((resource, type) -> {
                ConfigEntry entry = current.get(resource).get(TopicSpec.TIMESTAMP_TYPE);
                if (entry == null || !type.equals(entry.value())) {
                    changes.put(resource, List.of(new AlterConfigOp(
                            new ConfigEntry(TopicSpec.TIMESTAMP_TYPE, type), AlterConfigOp.OpType.SET)));
                }
            });
            if (!changes.isEmpty()) {
                admin.incrementalAlterConfigs(changes).all().get();
            }
            return changes.keySet().stream().map(ConfigResource::name).toList();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set " + TopicSpec.TIMESTAMP_TYPE + " on " + wanted.keySet()
                    + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted setting " + TopicSpec.TIMESTAMP_TYPE, e);
        }
    }

    /** Waits until {@code admin}'s broker describes every topic of {@code names}. */
    public static void awaitVisible(Admin admin, Collection<String> names) {
        long deadline = System.nanoTime() + VISIBLE_TIMEOUT.toNanos();
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + names + " are not visible: " + e.getCause(),
                            e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics " + names, e);
            }
            // The controller has committed the topics; the broker applies the metadata within milliseconds.
            LockSupport.parkNanos(RETRY_NANOS);
        }
    }
}
