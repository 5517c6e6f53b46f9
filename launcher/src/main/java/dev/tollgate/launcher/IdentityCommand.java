package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.PublicKeys;
import dev.tollgate.intake.kafka.KafkaSettings;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.kafka.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate identity create|disable|public-key}: writes {@code tollgate.identities.v1} directly, with the same
 * code as intake's {@code POST/DELETE /v1/identities} and {@code PUT/DELETE /v1/identities/{id}/public-key}.
 * {@code create} prints {@code {principalId, apiKey}}; the key is shown this once and only its SHA-256 is stored.
 * {@code --public-key} registers the Ed25519 key a principal signs the commands it produces to Kafka itself with.
 */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = "Create, disable or list identities; register their public keys.",
        subcommands = {IdentityCommand.Create.class, IdentityCommand.Disable.class, IdentityCommand.SetPublicKey.class,
                AdminListCommands.IdentityList.class})
public final class IdentityCommand {

    /** {@code tollgate identity create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an identity and print its principal id and API key (shown once).")
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions kafka;

        @Option(names = "--name", required = true, description = "A name for people to read.")
        String name;

        @Option(names = "--kind", required = true, description = "agent, human or service.")
        String kind;

        @Option(names = "--tenant", required = true, description = "The tenant the principal acts in.")
        String tenant;

        @Option(names = "--roles", split = ",", description = "Roles, comma-separated (e.g. admin, approver).")
        List<String> roles = new ArrayList<>();

        @Option(names = "--public-key", paramLabel = "FILE|BASE64",
                description = "The principal's Ed25519 public key, for commands it signs and produces to Kafka "
                        + "itself: a file (Base64 X.509, PEM or DER) or the Base64 of its X.509 encoding.")
        String publicKey;

        @Override
        public Integer call() {
            PrincipalKind principalKind;
            try {
                principalKind = PrincipalKind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                principalKind = PrincipalKind.UNSPECIFIED;
            }
            if (principalKind == PrincipalKind.UNSPECIFIED) {
                spec.commandLine().getErr().println("--kind must be agent, human or service");
                return 2;
            }
            String key;
            try {
                key = publicKey == null ? null : PublicKeyArgument.read(publicKey);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            try (Publisher publisher = publisher(kafka)) {
                IdentityAdmin.Created created = new IdentityAdmin(publisher, Clock.systemUTC())
                        .create(name, principalKind, tenant, roles, key);
                ObjectNode out = JsonNodeFactory.instance.objectNode()
                        .put("principalId", created.principalId()).put("apiKey", created.apiKey());
                if (key != null) {
                    out.put("publicKeyId", PublicKeys.keyId(key));
                }
                spec.commandLine().getOut().println(out);
                return 0;
            }
        }
    }

    /** {@code tollgate identity disable ID}. */
    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an identity: every intake instance refuses its key within a second.")
    static final class Disable implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions kafka;

        @Parameters(index = "0", paramLabel = "PRINCIPAL_ID")
        String principalId;

        @Override
        public Integer call() throws InterruptedException {
            return change(spec, kafka, principalId, IdentityAdmin::disable, JsonNodeFactory.instance.objectNode()
                    .put("principalId", principalId).put("enabled", false));
        }
    }

    /** {@code tollgate identity public-key ID (--public-key K | --remove)}. */
    @Command(name = "public-key", mixinStandardHelpOptions = true,
            description = "Register or rotate an identity's Ed25519 public key, or remove it: from the "
                    + "policy-processor's next read of the identity, only commands signed with the new key verify.")
    static final class SetPublicKey implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions kafka;

        @Parameters(index = "0", paramLabel = "PRINCIPAL_ID")
        String principalId;

        @Option(names = "--public-key", paramLabel = "FILE|BASE64",
                description = "The new key: a file (Base64 X.509, PEM or DER) or the Base64 of its X.509 encoding.")
        String publicKey;

        @Option(names = "--remove", description = "Remove the key: the principal's own signatures stop verifying.")
        boolean remove;

        @Override
        public Integer call() throws InterruptedException {
            if ((publicKey == null) == !remove) {
                spec.commandLine().getErr().println("give exactly one of --public-key or --remove");
                return 2;
            }
            String key;
            try {
                key = remove ? null : PublicKeyArgument.read(publicKey);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode().put("principalId", principalId);
            if (key == null) {
                out.putNull("publicKeyId");
            } else {
                out.put("publicKeyId", PublicKeys.keyId(key));
            }
            return change(spec, kafka, principalId, (admin, identity) -> admin.setPublicKey(identity, key), out);
        }
    }

    /**
     * Reads the identity, applies {@code change} to it and prints {@code answer}: exit 0; exit 1 with
     * "no identity ID" when there is none.
     */
    private static int change(CommandSpec spec, ClusterOptions kafka, String principalId,
                              BiConsumer<IdentityAdmin, Identity> change, ObjectNode answer)
            throws InterruptedException {
        try (Publisher publisher = publisher(kafka)) {
            Optional<Identity> current = read(publisher, kafka, principalId);
            if (current.isEmpty()) {
                spec.commandLine().getErr().println("no identity " + principalId);
                return 1;
            }
            change.accept(new IdentityAdmin(publisher, Clock.systemUTC()), current.get());
            spec.commandLine().getOut().println(answer);
            return 0;
        }
    }

    static Publisher publisher(ClusterOptions kafka) {
        Map<String, Object> clientConfig = kafka.clientConfigFileProperties();
        TollgateSerdes serdes = kafka.serdes();
        return new Publisher(KafkaSettings.producer(kafka.bootstrapServers(), 15_000, "tollgate-cli",
                clientConfig),
                serdes);
    }

    /** Reads the identities topic to its end and returns the identity, if any. */
    static Optional<Identity> read(Publisher publisher, ClusterOptions kafka, String principalId)
            throws InterruptedException {
        IdentityIndex index = new IdentityIndex(publisher.serdes());
        try (TopicReader reader = new TopicReader("cli-identities",
                KafkaSettings.consumer(kafka.bootstrapServers(), "tollgate-cli-identities",
                        kafka.clientConfigFileProperties()),
                Map.of(Topics.IDENTITIES.name(), true), index::handle, null, new SimpleMeterRegistry()).start()) {
            if (!reader.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("cannot read " + Topics.IDENTITIES.name());
            }
            return index.byPrincipalId(principalId);
        }
    }
}
