package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.kafka.Publisher;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate kill engage|lift}: writes {@code tollgate.kill-switches.v1} directly, with the same code as
 * intake's {@code PUT/DELETE /v1/kill-switches/{scope}/{target}}.
 */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Engage, lift or list kill switches.",
        subcommands = {KillCommand.Engage.class, KillCommand.Lift.class, AdminListCommands.KillList.class})
public final class KillCommand {

    /** Options shared by engage and lift. */
    static class Target {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions kafka;

        @Option(names = "--scope", required = true, description = "global, tenant, agent or run.")
        String scope;

        @Option(names = "--target", defaultValue = "*", description = "The tenant, agent or run id (* for global).")
        String target;

        @Option(names = "--reason", defaultValue = "", description = "Why (recorded with the switch).")
        String reason;

        int write(boolean engaged) {
            Optional<KillSwitchScope> parsed = KillSwitchAdmin.scope(scope);
            if (parsed.isEmpty()) {
                spec.commandLine().getErr().println("--scope must be global, tenant, agent or run");
                return 2;
            }
            if (parsed.get() != KillSwitchScope.GLOBAL && (target == null || target.equals("*"))) {
                spec.commandLine().getErr().println("--target is required for scope " + scope);
                return 2;
            }
            try (Publisher publisher = IdentityCommand.publisher(kafka)) {
                KillSwitch written = new KillSwitchAdmin(publisher, Clock.systemUTC())
                        .write(parsed.get(), target, engaged, reason, "cli:" + System.getProperty("user.name", ""));
                spec.commandLine().getOut().println(JsonNodeFactory.instance.objectNode()
                        .put("key", KillSwitchAdmin.key(parsed.get(), written.getTarget()))
                        .put("scope", parsed.get().name().toLowerCase(Locale.ROOT))
                        .put("target", written.getTarget())
                        .put("engaged", written.getEngaged()));
                return 0;
            }
        }
    }

    /** {@code tollgate kill engage}. */
    @Command(name = "engage", mixinStandardHelpOptions = true, description = "Engage a kill switch.")
    static final class Engage extends Target implements Callable<Integer> {
        @Override
        public Integer call() {
            return write(true);
        }
    }

    /** {@code tollgate kill lift}. */
    @Command(name = "lift", mixinStandardHelpOptions = true, description = "Lift a kill switch.")
    static final class Lift extends Target implements Callable<Integer> {
        @Override
        public Integer call() {
            return write(false);
        }
    }
}
