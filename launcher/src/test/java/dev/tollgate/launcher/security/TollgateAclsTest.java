package dev.tollgate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.gateway.GatewayTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The key properties of {@link TollgateAcls}, evaluated the way Kafka matches a binding (principal, LITERAL or
 * PREFIXED resource name, the operation or ALL). {@code SecureBrokerIT} proves them on a real broker.
 */
class TollgateAclsTest {

    private static final List<String> TOPICS = contractTopics();

    @Test
    void onlyThePolicyProcessorMayWriteTheLedgerAndTheDispatchTopic() {
        assertThat(usersAllowed(AclOperation.WRITE, Topics.LEDGER.name())).containsExactly("policy-processor");
        assertThat(usersAllowed(AclOperation.WRITE, Topics.DISPATCH.name())).containsExactly("policy-processor");
        assertThat(usersAllowed(AclOperation.WRITE, Topics.ARTIFACTS.name())).containsExactly("policy-processor");
    }

    @Test
    void theAgentMayWriteOnlyCommandsAndReadNothing() {
        assertThat(topicsAllowed(TollgateAcls.AGENT, AclOperation.WRITE)).containsExactly(Topics.COMMANDS.name());
        assertThat(topicsAllowed(TollgateAcls.AGENT, AclOperation.READ)).isEmpty();
        assertThat(TollgateAcls.forUser(TollgateAcls.AGENT)).noneMatch(b ->
                b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID
                        || b.pattern().resourceType() == ResourceType.GROUP);
    }

    @Test
    void theGatewayReadsOnlyDispatchAndWritesOnlyResultsItsKeysAndTheDlq() {
        assertThat(topicsAllowed(TollgateAcls.TOOL_GATEWAY, AclOperation.READ))
                .containsExactlyInAnyOrder(Topics.DISPATCH.name(), GatewayTopics.JOURNAL.name());
        assertThat(topicsAllowed(TollgateAcls.TOOL_GATEWAY, AclOperation.WRITE))
                .containsExactlyInAnyOrder(Topics.TOOL_RESULTS.name(), Topics.GATEWAY_KEYS.name(), Topics.DLQ.name(),
                        GatewayTopics.JOURNAL.name());
    }

    @Test
    void commandsAreWrittenByAgentsAndIntakeAndResultsOnlyByTheGateway() {
        assertThat(usersAllowed(AclOperation.WRITE, Topics.TOOL_RESULTS.name())).containsExactly("tool-gateway");
        assertThat(usersAllowed(AclOperation.WRITE, Topics.COMMANDS.name())).containsExactly("agent", "intake");
    }

    @Test
    void grantsOnlyAllowsToNamedUsersAndNoPrefixCoversAContractTopic() {
        for (AclBinding binding : TollgateAcls.all()) {
            assertThat(binding.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
            assertThat(binding.entry().principal()).isNotEqualTo("User:*").startsWith("User:");
            if (binding.pattern().resourceType() == ResourceType.TOPIC
                    && binding.pattern().patternType() == PatternType.PREFIXED) {
                assertThat(TOPICS).as(TollgateAcls.describe(binding))
                        .noneMatch(topic -> topic.startsWith(binding.pattern().name()));
            }
        }
    }

    @Test
    void streamsAppsOwnTheirApplicationIdPrefixAndTheGatewayItsGroupAndTransactionalId() {
        Map<String, String> applicationIds = Map.of(
                TollgateAcls.POLICY_PROCESSOR, "tollgate-policy-processor-v1",
                TollgateAcls.LEDGER_PROJECTOR, "tollgate-ledger-projector-v1");
        applicationIds.forEach((user, applicationId) -> {
            String internalTopic = applicationId + "-run-state-store-changelog";
            assertThat(allowed(user, ResourceType.TOPIC, internalTopic, AclOperation.CREATE)).as(user).isTrue();
            assertThat(allowed(user, ResourceType.TOPIC, internalTopic, AclOperation.DESCRIBE_CONFIGS)).isTrue();
            assertThat(allowed(user, ResourceType.GROUP, applicationId, AclOperation.READ)).isTrue();
            assertThat(allowed(user, ResourceType.TRANSACTIONAL_ID, applicationId + "-0_1", AclOperation.WRITE))
                    .isTrue();
            assertThat(allowed(user, ResourceType.CLUSTER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE)).isTrue();
        });
        assertThat(allowed(TollgateAcls.TOOL_GATEWAY, ResourceType.GROUP, GatewayTopics.GROUP_ID, AclOperation.READ))
                .isTrue();
        assertThat(allowed(TollgateAcls.TOOL_GATEWAY, ResourceType.TRANSACTIONAL_ID,
                "tollgate-tool-gateway-gateway-1", AclOperation.WRITE)).isTrue();
        assertThat(allowed(TollgateAcls.AGENT, ResourceType.TRANSACTIONAL_ID, "tollgate-policy-processor-v1-0",
                AclOperation.WRITE)).isFalse();
    }

    @Test
    void namesPasswordVariablesAndRefusesAMissingOneByNameWithoutValues() {
        assertThat(SecuritySetup.passwordVariable("policy-processor")).isEqualTo("TOLLGATE_PASSWORD_POLICY_PROCESSOR");
        Map<String, String> env = TollgateAcls.USERS.stream()
                .filter(user -> !user.equals(TollgateAcls.TOOL_GATEWAY))
                .collect(Collectors.toMap(SecuritySetup::passwordVariable, user -> "pw-of-" + user));
        assertThatThrownBy(() -> SecuritySetup.passwords(env::get))
                .hasMessageContaining("TOLLGATE_PASSWORD_TOOL_GATEWAY")
                .hasMessageNotContaining("pw-of-");
    }

    private static Set<String> usersAllowed(AclOperation operation, String topic) {
        return TollgateAcls.USERS.stream().filter(user -> allowed(user, ResourceType.TOPIC, topic, operation))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> topicsAllowed(String user, AclOperation operation) {
        return TOPICS.stream().filter(topic -> allowed(user, ResourceType.TOPIC, topic, operation))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean allowed(String user, ResourceType type, String name, AclOperation operation) {
        return TollgateAcls.all().stream().anyMatch(b ->
                b.entry().principal().equals("User:" + user)
                        && b.entry().permissionType() == AclPermissionType.ALLOW
                        && (b.entry().operation() == operation || b.entry().operation() == AclOperation.ALL)
                        && b.pattern().resourceType() == type
                        && (b.pattern().patternType() == PatternType.LITERAL ? b.pattern().name().equals(name)
                                : name.startsWith(b.pattern().name())));
    }

    private static List<String> contractTopics() {
        List<String> names = new ArrayList<>(Topics.ALL.stream().map(TopicSpec::name).toList());
        names.add(GatewayTopics.JOURNAL.name());
        return names;
    }
}
