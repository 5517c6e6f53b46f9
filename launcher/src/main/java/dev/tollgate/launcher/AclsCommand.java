package dev.tollgate.launcher;

import dev.tollgate.launcher.security.SecuritySetup;
import dev.tollgate.launcher.security.TollgateAcls;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate acls print|apply}: the broker ACLs of the secured deployment, as {@link TollgateAcls} defines
 * them. {@code apply} creates them (idempotent) and, with {@code --create-users}, creates or updates the SCRAM-SHA-512
 * credential of every user, each password from {@code TOLLGATE_PASSWORD_<USER>} (upper case, dashes as
 * underscores). It authenticates as an administrator with {@code --client-config}. Passwords are never printed.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        description = "The broker ACLs of the secured deployment: print them, or apply them (and the SCRAM users).",
        subcommands = {AclsCommand.Print.class, AclsCommand.Apply.class})
public final class AclsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: print or apply");
    }

    /** {@code tollgate acls print}: one binding per line. */
    @Command(name = "print", mixinStandardHelpOptions = true, description = "Print every ACL binding, one per line.")
    static final class Print implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            TollgateAcls.all().forEach(binding -> out.println(TollgateAcls.describe(binding)));
            out.flush();
            return 0;
        }
    }

    /** {@code tollgate acls apply [--create-users]}. */
    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Create every ACL binding on the cluster (idempotent).",
                "With --create-users, also create or update the SCRAM-SHA-512 credential of every user ("
                        + "policy-processor, tool-gateway, ledger-projector, intake, agent, schema-registry); each "
                        + "password comes from TOLLGATE_PASSWORD_<USER> (upper case, dashes as underscores)."})
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--create-users", description = "Also upsert the users' SCRAM-SHA-512 credentials.")
        boolean createUsers;

        @Option(names = "--enabled", arity = "1", defaultValue = "true", paramLabel = "true|false",
                description = "false: do nothing and exit 0 (for a deployment whose broker is not secured, e.g. "
                        + "--enabled=$${TOLLGATE_SECURE}); default: ${DEFAULT-VALUE}.")
        boolean enabled;

        /** Where the passwords come from: the process environment (tests put a map here). */
        UnaryOperator<String> environment = System::getenv;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (!enabled) {
                out.println("ACLs not applied: --enabled=false (the broker is not secured)");
                out.flush();
                return 0;
            }
            // Read every password before touching the cluster, so a missing one changes nothing.
            Map<String, String> passwords = createUsers ? SecuritySetup.passwords(environment) : Map.of();
            try (Admin admin = cluster.admin()) {
                List<AclBinding> bindings = SecuritySetup.applyAcls(admin);
                out.println("Applied " + bindings.size() + " ACL bindings for users "
                        + String.join(", ", TollgateAcls.USERS));
                if (createUsers) {
                    SecuritySetup.upsertScramUsers(admin, passwords);
                    out.println("Upserted SCRAM-SHA-512 credentials of " + String.join(", ", passwords.keySet()));
                }
            }
            out.flush();
            return 0;
        }
    }
}
