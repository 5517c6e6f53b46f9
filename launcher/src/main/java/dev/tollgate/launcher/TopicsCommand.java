package dev.tollgate.launcher;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.gateway.GatewayTopics;
import dev.tollgate.kafka.TopicProvisioner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate topics}: lists the {@code tollgate.*} topics on the broker with their partitions, replication
 * and the configs set on each topic, and names the contract topics ({@link Topics#ALL}) that are missing;
 * {@code --create} creates those first, with the tool gateway's journal ({@link GatewayTopics#JOURNAL}), so that in
 * the secured deployment no service needs the right to create topics. With {@code --replication-factor N} it first
 * waits (up to {@code --wait}) until the cluster has N brokers, so a fresh multi-broker cluster can be provisioned
 * as soon as its first broker answers.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Lists the tollgate.* topics with partitions and configs; --create creates the missing ones.")
public final class TopicsCommand implements Callable<Integer> {

    private static final String FORMAT = "%-28s %10s %8s  %s%n";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Option(names = "--create", description = "Create the topics of the contract that do not exist yet.")
    private boolean create;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "1",
            description = "Replicas of each topic --create creates (default: ${DEFAULT-VALUE}).")
    private short replicationFactor;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "PT2M",
            description = "How long --create waits for the cluster to have --replication-factor brokers, ISO-8601 "
                    + "(default: ${DEFAULT-VALUE}).")
    private Duration wait;

    /** The topics {@code --create} creates: the contract, and the gateway's internal journal. */
    static List<TopicSpec<String, ?>> provisioned() {
        List<TopicSpec<String, ?>> topics = new ArrayList<>(Topics.ALL);
        topics.add(GatewayTopics.JOURNAL);
        return topics;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = cluster.admin()) {
            if (create) {
                if (replicationFactor < 1) {
                    throw new IllegalArgumentException("--replication-factor must be >= 1");
                }
                awaitBrokers(admin, replicationFactor);
                for (String name : new TreeSet<>(TopicProvisioner.createMissing(admin, provisioned(),
                        Optional.of(replicationFactor)))) {
                    out.println("Created " + name);
                }
            }
            Set<String> names = admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith("tollgate."))
                    .collect(Collectors.toCollection(TreeSet::new));
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get();

            out.printf(FORMAT, "TOPIC", "PARTITIONS", "REPLICAS", "CONFIGS");
            for (String name : names) {
                TopicDescription description = descriptions.get(name);
                out.printf(FORMAT, name, description.partitions().size(),
                        description.partitions().get(0).replicas().size(),
                        topicConfigs(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))));
            }
            List<String> missing = Topics.ALL.stream().map(TopicSpec::name).filter(n -> !names.contains(n)).toList();
            for (String name : missing) {
                out.printf(FORMAT, name, "-", "-", "MISSING (tollgate topics --create creates it)");
            }
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka at " + cluster.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Waits until the cluster has at least {@code brokers} brokers, or {@link #wait} has passed. */
    private void awaitBrokers(Admin admin, int brokers) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        int seen = admin.describeCluster().nodes().get().size();
        while (seen < brokers) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster has " + seen + " broker(s) after " + wait
                        + ", fewer than --replication-factor " + brokers);
            }
            TimeUnit.MILLISECONDS.sleep(500);
            seen = admin.describeCluster().nodes().get().size();
        }
    }

    /** The configs set on the topic itself (not broker defaults), as {@code key=value, ...}. */
    private static String topicConfigs(Config config) {
        return config.entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .map(entry -> entry.name() + "=" + entry.value())
                .sorted()
                .collect(Collectors.joining(", "));
    }
}
