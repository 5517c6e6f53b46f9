package dev.tollgate.launcher.security;

import dev.tollgate.events.Topics;
import dev.tollgate.gateway.GatewayTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The broker ACLs of the secured deployment, in one place: the docker-compose {@code secure} profile applies them
 * with {@code tollgate acls apply}, and {@code SecureBrokerIT} proves them on a real broker. Enforcement cannot
 * be bypassed: only the policy-processor may write the ledger and the dispatch topic, agents may write only
 * commands, and the gateway only reads dispatch and writes results. Everything not granted is denied
 * ({@code allow.everyone.if.no.acl.found=false}).
 */
public final class TollgateAcls {

    /** SCRAM user of the policy-processor, the only writer of the ledger and of dispatch. */
    public static final String POLICY_PROCESSOR = "policy-processor";
    /** SCRAM user of the tool gateway. */
    public static final String TOOL_GATEWAY = "tool-gateway";
    /** SCRAM user of the ledger-projector. */
    public static final String LEDGER_PROJECTOR = "ledger-projector";
    /** SCRAM user of the intake-service. */
    public static final String INTAKE = "intake";
    /** SCRAM user agents' SDKs authenticate as: they may only write commands. */
    public static final String AGENT = "agent";
    /** SCRAM user of the schema registry (its {@code _schemas} topic and group). */
    public static final String SCHEMA_REGISTRY = "schema-registry";

    /** Every user that gets SCRAM credentials and ACLs in the secured deployment. */
    public static final List<String> USERS =
            List.of(POLICY_PROCESSOR, TOOL_GATEWAY, LEDGER_PROJECTOR, INTAKE, AGENT, SCHEMA_REGISTRY);

    /** The tool gateway's private journal topic (see docs/architecture.md, tool-gateway). */
    static final String GATEWAY_JOURNAL = GatewayTopics.JOURNAL.name();

    /** Group, transactional-id and internal-topic prefixes of each service (its application ids). */
    static final Map<String, String> PREFIXES = Map.of(
            POLICY_PROCESSOR, "tollgate-policy-processor",
            TOOL_GATEWAY, "tollgate-tool-gateway",
            LEDGER_PROJECTOR, "tollgate-ledger-projector",
            INTAKE, "tollgate-intake",
            AGENT, "tollgate-agent",
            SCHEMA_REGISTRY, "schema-registry");

    private TollgateAcls() {
    }

    /** Every ACL binding of the secured deployment. */
    public static List<AclBinding> all() {
        List<AclBinding> acls = new ArrayList<>();
        for (String user : USERS) {
            acls.addAll(forUser(user));
        }
        return acls;
    }

    /** The ACL bindings of one user. */
    public static List<AclBinding> forUser(String user) {
        List<AclBinding> acls = new ArrayList<>();
        String prefix = PREFIXES.get(user);
        if (prefix == null) {
            throw new IllegalArgumentException("no ACLs defined for user " + user);
        }
        switch (user) {
            case POLICY_PROCESSOR -> {
                read(acls, user, Topics.COMMANDS.name(), Topics.TOOL_RESULTS.name(), Topics.POLICIES.name(),
                        Topics.IDENTITIES.name(), Topics.KILL_SWITCHES.name());
                write(acls, user, Topics.LEDGER.name(), Topics.DISPATCH.name(), Topics.ARTIFACTS.name(),
                        Topics.DLQ.name());
                streamsApp(acls, user, prefix);
            }
            case TOOL_GATEWAY -> {
                read(acls, user, Topics.DISPATCH.name());
                write(acls, user, Topics.TOOL_RESULTS.name(), Topics.GATEWAY_KEYS.name(), Topics.DLQ.name());
                // The at-most-once journal is the gateway's own state: it reads and writes it alone.
                read(acls, user, GATEWAY_JOURNAL);
                write(acls, user, GATEWAY_JOURNAL);
                // Not a Streams app: group tollgate-tool-gateway-v1 and transactional.id
                // tollgate-tool-gateway-<gateway.id>, but no internal topics (its topics are created by the operator).
                transactionalClient(acls, user, prefix);
            }
            case LEDGER_PROJECTOR -> {
                read(acls, user, Topics.LEDGER.name(), Topics.IDENTITIES.name(), Topics.GATEWAY_KEYS.name());
                write(acls, user, Topics.DLQ.name());
                streamsApp(acls, user, prefix);
            }
            case INTAKE -> {
                // Records its readers cannot take go to the DLQ.
                write(acls, user, Topics.COMMANDS.name(), Topics.IDENTITIES.name(), Topics.POLICIES.name(),
                        Topics.KILL_SWITCHES.name(), Topics.DLQ.name());
                read(acls, user, Topics.LEDGER.name(), Topics.TOOL_RESULTS.name(), Topics.IDENTITIES.name(),
                        Topics.POLICIES.name(), Topics.KILL_SWITCHES.name());
                streamsApp(acls, user, prefix);
            }
            case AGENT -> {
                write(acls, user, Topics.COMMANDS.name());
                acls.add(binding(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, user,
                        AclOperation.IDEMPOTENT_WRITE));
            }
            case SCHEMA_REGISTRY -> {
                // Confluent Schema Registry keeps its schemas in _schemas and coordinates through a group.
                acls.add(binding(ResourceType.TOPIC, "_schemas", PatternType.LITERAL, user, AclOperation.ALL));
                acls.add(binding(ResourceType.GROUP, prefix, PatternType.PREFIXED, user, AclOperation.ALL));
                acls.add(binding(ResourceType.TOPIC, "__consumer_offsets", PatternType.LITERAL, user,
                        AclOperation.DESCRIBE));
            }
            default -> throw new IllegalArgumentException("no ACLs defined for user " + user);
        }
        return acls;
    }

    private static void read(List<AclBinding> acls, String user, String... topics) {
        for (String topic : topics) {
            acls.add(binding(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.READ));
            acls.add(binding(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.DESCRIBE));
        }
    }

    private static void write(List<AclBinding> acls, String user, String... topics) {
        for (String topic : topics) {
            acls.add(binding(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.WRITE));
            acls.add(binding(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.DESCRIBE));
        }
    }

    /**
     * A Kafka Streams app: consumer groups, transactional ids and internal topics (changelogs, repartition topics;
     * ALL covers CREATE, DESCRIBE_CONFIGS and DELETE) under its application id's prefix.
     */
    private static void streamsApp(List<AclBinding> acls, String user, String prefix) {
        transactionalClient(acls, user, prefix);
        acls.add(binding(ResourceType.TOPIC, prefix, PatternType.PREFIXED, user, AclOperation.ALL));
    }

    /** Consumer groups and transactional ids under the prefix, and idempotent producing. */
    private static void transactionalClient(List<AclBinding> acls, String user, String prefix) {
        acls.add(binding(ResourceType.GROUP, prefix, PatternType.PREFIXED, user, AclOperation.ALL));
        acls.add(binding(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, user, AclOperation.ALL));
        acls.add(binding(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, user,
                AclOperation.IDEMPOTENT_WRITE));
    }

    /**
     * One binding on one line, e.g. {@code User:agent ALLOW WRITE on TOPIC tollgate.commands.v1 (LITERAL) from *}.
     */
    public static String describe(AclBinding binding) {
        AccessControlEntry entry = binding.entry();
        ResourcePattern pattern = binding.pattern();
        return entry.principal() + " " + entry.permissionType() + " " + entry.operation() + " on "
                + pattern.resourceType() + " " + pattern.name() + " (" + pattern.patternType() + ") from "
                + entry.host();
    }

    private static AclBinding binding(ResourceType type, String name, PatternType pattern, String user,
                                      AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
}
