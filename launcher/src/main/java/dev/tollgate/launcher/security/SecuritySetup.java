package dev.tollgate.launcher.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.SecurityDisabledException;

/**
 * What {@code tollgate acls apply [--create-users]} does to a secured cluster, through the Admin API: creates the
 * ACL bindings of {@link TollgateAcls} and upserts a SCRAM-SHA-512 credential for every user of
 * {@link TollgateAcls#USERS}. Both are idempotent. {@code SecureBrokerIT} runs this same code. Passwords are never
 * logged nor put in an exception message.
 */
public final class SecuritySetup {

    /** Prefix of the environment variables that hold the users' passwords. */
    public static final String PASSWORD_VARIABLE_PREFIX = "TOLLGATE_PASSWORD_";

    /** PBKDF2 iterations of the SCRAM credentials (Kafka's minimum for SCRAM-SHA-512 is 4096). */
    public static final int SCRAM_ITERATIONS = 8192;

    private SecuritySetup() {
    }

    /** The variable that holds {@code user}'s password: policy-processor → TOLLGATE_PASSWORD_POLICY_PROCESSOR. */
    public static String passwordVariable(String user) {
        return PASSWORD_VARIABLE_PREFIX + user.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * The password of every user of {@link TollgateAcls#USERS}, looked up in {@code environment} (for example
     * {@code System::getenv}). Fails naming every missing or empty variable (never a value).
     */
    public static Map<String, String> passwords(UnaryOperator<String> environment) {
        Map<String, String> passwords = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String user : TollgateAcls.USERS) {
            String value = environment.apply(passwordVariable(user));
            if (value == null || value.isEmpty()) {
                missing.add(passwordVariable(user));
            } else {
                passwords.put(user, value);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("set the password variable" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " (one per user: " + String.join(", ", TollgateAcls.USERS) + ")");
        }
        return passwords;
    }

    /** Creates every binding of {@link TollgateAcls#all()} (existing ones are left as they are); returns them. */
    public static List<AclBinding> applyAcls(Admin admin) {
        List<AclBinding> bindings = TollgateAcls.all();
        await(() -> admin.createAcls(bindings).all().get(), "create the ACLs");
        return bindings;
    }

    /** Creates or replaces the SCRAM-SHA-512 credential of each user of {@code passwords}. */
    public static void upsertScramUsers(Admin admin, Map<String, String> passwords) {
        List<UserScramCredentialAlteration> alterations = new ArrayList<>();
        ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS);
        passwords.forEach((user, password) -> alterations.add(new UserScramCredentialUpsertion(user, info, password)));
        await(() -> admin.alterUserScramCredentials(alterations).all().get(), "create the SCRAM users");
    }

    private static void await(KafkaCall call, String what) {
        try {
            call.run();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SecurityDisabledException) {
                throw new IllegalStateException("cannot " + what + ": the broker has no authorizer (is it the secured"
                        + " deployment?)", cause);
            }
            throw new IllegalStateException("cannot " + what + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: cannot " + what, e);
        }
    }

    @FunctionalInterface
    private interface KafkaCall {
        void run() throws ExecutionException, InterruptedException;
    }
}
