package dev.tollgate.launcher;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.cases.PolicyCases;
import dev.tollgate.policy.diff.PolicyDiff;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.engine.PolicyProblem;
import dev.tollgate.policy.run.StaticPolicyContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate policy check|test|publish|diff}: validate a bundle (problems with line and rule id), run table
 * tests, publish to {@code tollgate.policies.v1}, and backtest a bundle against the recorded commands. Exit codes:
 * 0 fine; 1 a refused bundle, a failing case, a version published already with other content ({@code VERSION_EXISTS}),
 * or, with {@code diff --exit-code}, a decision that would change; 2 usage; 3 Kafka or the schema registry cannot be
 * reached ({@link Unreachable}).
 */
@CommandLine.Command(name = "policy", description = "Policy bundle tools.", mixinStandardHelpOptions = true,
        subcommands = {PolicyCommand.Check.class, PolicyCommand.Test.class, PolicyCommand.Publish.class,
                PolicyCommand.Diff.class, AdminListCommands.PolicyList.class})
public final class PolicyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    static CompiledBundle compile(Path file, PrintWriter out, PrintWriter err) throws IOException {
        try {
            return PolicyCompiler.compile(Files.readString(file));
        } catch (PolicyCompileException e) {
            err.println(file + ": refused, " + e.problems().size() + " problem(s)");
            for (PolicyProblem problem : e.problems()) {
                err.println(file + ":" + problem.line() + ": " + (problem.ruleId() == null ? ""
                        : "[" + problem.ruleId() + "] ") + problem.message());
            }
            return null;
        }
    }

    /** {@code tollgate policy check FILE}. */
    @CommandLine.Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a bundle: every CEL condition and JSON Schema.")
    static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            CompiledBundle bundle = compile(file, out, spec.commandLine().getErr());
            if (bundle == null) {
                return 1;
            }
            out.printf("%s: OK, bundle %s version %s sha256 %s (%d runs entries, %d tools, %d rules)%n", file,
                    bundle.name(), bundle.version(), bundle.sha256(), bundle.runs().size(), bundle.tools().size(),
                    bundle.rules().size());
            return 0;
        }
    }

    /** {@code tollgate policy test FILE CASES}. */
    @CommandLine.Command(name = "test", mixinStandardHelpOptions = true,
            description = "Run table tests (CASES YAML); non-zero on a mismatch.")
    static final class Test implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Parameters(index = "1", paramLabel = "CASES")
        Path cases;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            CompiledBundle bundle = compile(file, out, spec.commandLine().getErr());
            if (bundle == null) {
                return 1;
            }
            List<PolicyCases.Result> results = PolicyCases.run(bundle, Files.readString(cases));
            long failed = results.stream().filter(r -> !r.passed()).count();
            for (PolicyCases.Result result : results) {
                out.printf("%s  %s: %s%s%n", result.passed() ? "PASS" : "FAIL", result.name(), result.actual(),
                        result.passed() ? "" : " (expected " + result.expected() + ")");
            }
            out.printf("%d case(s), %d failed%n", results.size(), failed);
            return failed == 0 ? 0 : 1;
        }
    }

    /**
     * {@code tollgate policy publish FILE | --default [--if-none]}. {@code --default} publishes the project's default
     * bundle (the reference bundle); {@code --if-none} publishes only while {@code tollgate.policies.v1} is empty, so
     * a deployment's first start gets a working policy and a restart never overrides a published one.
     */
    @CommandLine.Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Check a bundle, then publish it to tollgate.policies.v1.")
    static final class Publish implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", arity = "0..1",
                description = "The bundle (YAML); omit it with --default.")
        Path file;

        @CommandLine.Mixin
        ClusterOptions connection = new ClusterOptions();

        @Option(names = "--published-by", defaultValue = "cli", description = "Recorded as publishedBy.")
        String publishedBy;

        @Option(names = "--default", description = "Publish the project's default bundle (the reference bundle).")
        boolean defaultBundle;

        @Option(names = "--if-none", description = "Publish only when tollgate.policies.v1 holds no bundle yet.")
        boolean ifNone;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if ((file == null) == !defaultBundle) {
                spec.commandLine().getErr().println("policy publish: give either FILE or --default");
                return 2;
            }
            CompiledBundle bundle = defaultBundle ? DefaultBundle.compiled()
                    : compile(file, out, spec.commandLine().getErr());
            if (bundle == null) {
                return 1;
            }
            if (ifNone && anyPublished(connection)) {
                out.printf("a bundle is published on %s already; %s version %s not published%n",
                        Topics.POLICIES.name(), bundle.name(), bundle.version());
                return 0;
            }
            Optional<PolicyBundle> taken = publishedWithOtherContent(connection, bundle);
            if (taken.isPresent()) {
                spec.commandLine().getErr().printf("tollgate: VERSION_EXISTS: bundle %s version %s is published "
                                + "already with sha256 %s; this content (sha256 %s) needs a new version%n",
                        bundle.name(), bundle.version(), taken.get().getSha256(), bundle.sha256());
                return 1;
            }
            PolicyBundle record = PolicyBundle.newBuilder().setName(bundle.name()).setVersion(bundle.version())
                    .setSha256(bundle.sha256()).setYaml(bundle.yaml()).setPublishedAt(Instant.now())
                    .setPublishedBy(publishedBy).build();
            publish(connection, record);
            out.printf("published %s version %s sha256 %s%n", bundle.name(), bundle.version(), bundle.sha256());
            return 0;
        }

        /**
         * The record that published {@code bundle}'s name and version first, when its content differs. Versions are
         * immutable (intake answers 409 VERSION_EXISTS; the policy-processor keeps the first content of a version
         * and ignores a later one), so the CLI refuses to write what would be ignored.
         */
        private static Optional<PolicyBundle> publishedWithOtherContent(ClusterOptions connection,
                                                                        CompiledBundle bundle) {
            for (ConsumerRecord<String, PolicyBundle> record : TopicSnapshot.read(connection, Topics.POLICIES.name(),
                    connection.serdes().value(Topics.POLICIES).deserializer())) {
                PolicyBundle published = record.value();
                if (published != null && bundle.name().equals(record.key())
                        && bundle.version().equals(published.getVersion())) {
                    return published.getSha256().equals(bundle.sha256()) ? Optional.empty() : Optional.of(published);
                }
            }
            return Optional.empty();
        }

        private static boolean anyPublished(ClusterOptions connection) throws Exception {
            try (Admin admin = connection.admin()) {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(List.of(Topics.POLICIES.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.POLICIES.name()).partitions()
                        .forEach(p -> ends.put(new TopicPartition(Topics.POLICIES.name(), p.partition()),
                                OffsetSpec.latest()));
                return admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream()
                        .anyMatch(info -> info.offset() > 0);
            }
        }
    }

    static void publish(ClusterOptions connection, PolicyBundle record) throws Exception {
        TollgateSerdes serdes = connection.serdes();
        Map<String, Object> config = new HashMap<>(connection.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, PolicyBundle> producer = new KafkaProducer<>(config, new StringSerializer(),
                serdes.value(Topics.POLICIES).serializer())) {
            producer.send(new ProducerRecord<>(Topics.POLICIES.name(), record.getName(), record)).get();
        }
    }

    /** {@code tollgate policy diff FILE [--from-timestamp ISO]}. */
    @CommandLine.Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Re-decide the recorded RequestRun and RequestToolCall commands with this bundle and list"
                    + " every decision that would change.",
                    "Exit code 0, or with --exit-code 1 when any decision would change (for CI)."})
    static final class Diff implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @CommandLine.Mixin
        ClusterOptions connection = new ClusterOptions();

        @Option(names = "--from-timestamp", description = "Compare only commands issued from this instant (ISO-8601);"
                + " earlier ones are still replayed to rebuild run state.")
        Instant from;

        @Option(names = "--bundle", description = "Name of the bundle in force to compare with (default: the"
                + " candidate's name).")
        String current;

        @Option(names = "--exit-code", description = "Exit 1 when any decision would change, 0 when none would"
                + " (like git diff --exit-code).")
        boolean exitCode;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CompiledBundle candidate = compile(file, out, spec.commandLine().getErr());
            if (candidate == null) {
                return 1;
            }
            TollgateSerdes serdes = connection.serdes();
            String name = current == null ? candidate.name() : current;
            CompiledBundle inForce = null;
            Map<String, String> firstShaOfVersion = new HashMap<>();
            for (ConsumerRecord<String, PolicyBundle> record : TopicSnapshot.read(connection,
                    Topics.POLICIES.name(), serdes.value(Topics.POLICIES).deserializer())) {
                if (name.equals(record.key()) && record.value() != null) {
                    try {
                        CompiledBundle compiled = PolicyCompiler.compile(record.value().getYaml());
                        // As the processor: a version's first content stays; other content under it is ignored.
                        if (firstShaOfVersion.putIfAbsent(compiled.version(), compiled.sha256()) == null
                                || firstShaOfVersion.get(compiled.version()).equals(compiled.sha256())) {
                            inForce = compiled;
                        }
                    } catch (PolicyCompileException e) {
                        // refused bundles never come into force
                    }
                }
            }
            Map<String, Identity> identities = latest(TopicSnapshot.read(connection,
                    Topics.IDENTITIES.name(), serdes.value(Topics.IDENTITIES).deserializer()));
            Map<String, KillSwitch> killSwitches = latest(TopicSnapshot.read(connection,
                    Topics.KILL_SWITCHES.name(), serdes.value(Topics.KILL_SWITCHES).deserializer()));
            List<ConsumerRecord<String, ?>> recorded = new ArrayList<>();
            recorded.addAll(TopicSnapshot.read(connection, Topics.COMMANDS.name(),
                    serdes.value(Topics.COMMANDS).deserializer()));
            recorded.addAll(TopicSnapshot.read(connection, Topics.TOOL_RESULTS.name(),
                    serdes.value(Topics.TOOL_RESULTS).deserializer()));
            // Per-run order is partition order; across the two topics, record time orders results after the
            // dispatch that caused them (the sort is stable, so ties keep partition order).
            recorded.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
            List<Object> inputs = new ArrayList<>();
            recorded.stream().map(ConsumerRecord::value).filter(v -> v instanceof Command
                    || v instanceof ToolCallResult).forEach(inputs::add);

            PolicyDiff.Report report = PolicyDiff.diff(inputs,
                    new StaticPolicyContext(inForce, identities, killSwitches), candidate, from);
            out.printf("compared %d decision(s) under %s against %s version %s: %d would change%n", report.compared(),
                    inForce == null ? "no bundle" : inForce.name() + " version " + inForce.version(),
                    candidate.name(), candidate.version(), report.changes().size());
            for (PolicyDiff.Change change : report.changes()) {
                out.printf("%s run=%s %s%s command=%s%n    now: %s%n    new: %s%n", change.issuedAt(), change.runId(),
                        change.commandType(), change.callId() == null ? "" : " call=" + change.callId(),
                        change.commandId(), change.current(), change.candidate());
            }
            return exitCode && !report.changes().isEmpty() ? 1 : 0;
        }

        private static <V> Map<String, V> latest(List<ConsumerRecord<String, V>> records) {
            Map<String, V> latest = new HashMap<>();
            for (ConsumerRecord<String, V> record : records) {
                if (record.value() == null) {
                    latest.remove(record.key());
                } else {
                    latest.put(record.key(), record.value());
                }
            }
            return latest;
        }
    }
}
