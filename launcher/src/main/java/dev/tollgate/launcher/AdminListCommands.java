package dev.tollgate.launcher;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.admin.AdminJson;
import dev.tollgate.intake.admin.KillSwitchIndex;
import dev.tollgate.intake.admin.PolicyIndex;
import dev.tollgate.intake.identity.IdentityIndex;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The CLI twins of intake's admin read routes: {@code tollgate identity list}, {@code tollgate kill list} and
 * {@code tollgate policy list} read {@code tollgate.identities.v1}, {@code tollgate.kill-switches.v1} and
 * {@code tollgate.policies.v1} from the beginning, fold them with intake's own views, and print one JSON object per
 * line in the shapes of {@code GET /v1/identities}, {@code /v1/kill-switches} and {@code /v1/policies}.
 */
final class AdminListCommands {

    private AdminListCommands() {
    }

    /** {@code tollgate identity list [--tenant T]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print every identity (never its key) as a JSON line, like GET /v1/identities.")
    static final class IdentityList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--tenant", description = "Only the identities of this tenant.")
        String tenant;

        @Override
        public Integer call() {
            TollgateSerdes serdes = cluster.serdes();
            IdentityIndex index = new IdentityIndex(serdes);
            for (ConsumerRecord<String, Identity> record : TopicSnapshot.read(cluster, Topics.IDENTITIES.name(),
                    serdes.value(Topics.IDENTITIES).deserializer())) {
                if (record.value() != null) {
                    index.apply(record.value(), record.offset());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            index.all().stream().filter(i -> tenant == null || tenant.equals(i.getTenantId()))
                    .forEach(i -> out.println(AdminJson.identity(i)));
            out.flush();
            return 0;
        }
    }

    /** {@code tollgate kill list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print every kill switch, engaged first, as a JSON line, like GET /v1/kill-switches.")
    static final class KillList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            TollgateSerdes serdes = cluster.serdes();
            KillSwitchIndex index = new KillSwitchIndex(serdes);
            for (ConsumerRecord<String, KillSwitch> record : TopicSnapshot.read(cluster, Topics.KILL_SWITCHES.name(),
                    serdes.value(Topics.KILL_SWITCHES).deserializer())) {
                if (record.value() != null) {
                    index.apply(record.value());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            index.all().forEach(s -> out.println(AdminJson.killSwitch(s)));
            out.flush();
            return 0;
        }
    }

    /** {@code tollgate policy list [--all]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the latest version of each policy bundle (every version with --all) as JSON lines.")
    static final class PolicyList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--all", description = "Every published version, oldest first.")
        boolean all;

        @Override
        public Integer call() {
            TollgateSerdes serdes = cluster.serdes();
            PolicyIndex index = new PolicyIndex(serdes);
            for (ConsumerRecord<String, PolicyBundle> record : TopicSnapshot.read(cluster, Topics.POLICIES.name(),
                    serdes.value(Topics.POLICIES).deserializer())) {
                if (record.value() != null) {
                    index.apply(record.value());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (all) {
                index.all().forEach(b -> out.println(AdminJson.policy(b)));
            } else {
                Map<String, PolicyBundle> latest = new LinkedHashMap<>();
                index.all().forEach(b -> latest.put(b.getName(), b));
                latest.values().stream().sorted((a, b) -> a.getName().compareTo(b.getName()))
                        .forEach(b -> out.println(AdminJson.policy(b)));
            }
            out.flush();
            return 0;
        }
    }
}
