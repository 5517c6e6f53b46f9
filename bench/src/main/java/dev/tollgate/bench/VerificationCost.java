package dev.tollgate.bench;

import dev.tollgate.events.Command;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.auth.CanonicalForm;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The {@code auth} part of the suite: this thread's CPU time per command for proving and checking who produced it
 * (issue 13's trust boundary), without a broker. The intake path is intake's {@code hmac-sha256} signature
 * ({@link IntakeSigner}, the canonical form included) plus the processor's check of it ({@link Proofs#verifyHmac});
 * the Kafka path is a producer's Ed25519 signature plus the processor's check as {@code CommandAuthenticator} does it
 * (the identity's Base64 key decoded, then the signature verified). Each figure is the median of five rounds of
 * 2,000 operations after 2,000 unmeasured ones, on a tool call of the size the {@code decide} section decides. When
 * the {@code decide} section ran in the same JVM, the intake path is also given as a share of its CPU per decision.
 * It uses CPU time because the neighbours' load moves it least; it reads and writes no topic.
 */
final class VerificationCost {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 2_000;
    private static final int OPERATIONS = 2_000;
    private static final int ROUNDS = 5;

    private VerificationCost() {
    }

    /**
     * Measures and prints the costs; {@code decide} is the {@code decide} section's report or null.
     *
     * @return {@code {canonicalFormMicros, hmacSignMicros, hmacVerifyMicros, intakePathMicros, ed25519SignMicros,
     *     ed25519VerifyMicros, kafkaPathVerifyMicros[, decideMicrosPerDecision, intakePathPercentOfDecision]}}
     */
    static Map<String, Object> measure(Object decide, PrintWriter out) throws IOException, GeneralSecurityException {
        return measure(decide, out, WARMUP, OPERATIONS);
    }

    /** As above with {@code warmup} unmeasured and {@code operations} measured operations per round. */
    static Map<String, Object> measure(Object decide, PrintWriter out, int warmup, int operations)
            throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("tollgate-bench-auth");
        try {
            IntakeSigner intake = IntakeSigner.atFile(dir.resolve("command-keys"));
            KeyRing ring = KeyRing.load(intake.keyFile());
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            String registered = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
            Command hmac = intake.sign(command());
            Command ed = Proofs.signEd25519(command(), pair.getPrivate(), pair.getPublic(), "bench-agent");

            Map<String, Object> report = new LinkedHashMap<>();
            ToDoubleFunction<BooleanSupplier> cpu = operation -> micros(warmup, operations, operation);
            report.put("canonicalFormMicros", cpu.applyAsDouble(() -> CanonicalForm.bytes(hmac).length > 0));
            double sign = cpu.applyAsDouble(() -> intake.sign(hmac) != null);
            double verify = cpu.applyAsDouble(() -> Proofs.verifyHmac(hmac, ring));
            report.put("hmacSignMicros", sign);
            report.put("hmacVerifyMicros", verify);
            report.put("intakePathMicros", round(sign + verify));
            report.put("ed25519SignMicros", cpu.applyAsDouble(() -> Proofs.signEd25519(ed, pair.getPrivate(),
                    pair.getPublic(), "bench-agent") != null));
            report.put("ed25519VerifyMicros", cpu.applyAsDouble(() -> Proofs.verifyEd25519(ed, pair.getPublic())));
            report.put("kafkaPathVerifyMicros", cpu.applyAsDouble(() -> {
                PublicKey key = Proofs.publicKey(registered);
                return Proofs.verifyEd25519(ed, key);
            }));
            if (decide instanceof Map<?, ?> decided && decided.get("callsPerRun20") instanceof Number perDecision) {
                report.put("decideMicrosPerDecision", perDecision.doubleValue());
                report.put("intakePathPercentOfDecision", round(100 * (sign + verify) / perDecision.doubleValue()));
            }
            print(report, operations, out);
            return report;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** A tool call as intake produces it: envelope, trace context, a small argument object. */
    private static Command command() {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setRunId(UUID.randomUUID().toString()).setTenantId("bench").setPrincipalId("bench-agent")
                .setIssuedAt(Instant.now()).setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .setPayload(RequestToolCall.newBuilder().setCallId("call-1").setTool("echo")
                        .setArgsJson("{\"msg\":\"bench 1\"}").build())
                .build();
    }

    /** Median CPU microseconds per operation over the rounds; fails if an operation answers false. */
    private static double micros(int warmup, int operations, BooleanSupplier operation) {
        run(operation, warmup);
        List<Double> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long start = THREADS.getCurrentThreadCpuTime();
            run(operation, operations);
            rounds.add((THREADS.getCurrentThreadCpuTime() - start) / 1_000.0 / operations);
        }
        rounds.sort(Double::compare);
        return round(rounds.get(ROUNDS / 2));
    }

    private static void run(BooleanSupplier operation, int times) {
        for (int i = 0; i < times; i++) {
            if (!operation.getAsBoolean()) {
                throw new IllegalStateException("a signature that must verify did not");
            }
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static void print(Map<String, Object> report, int operations, PrintWriter out) {
        out.println();
        out.println("Command authentication, CPU per command (this thread, median of " + ROUNDS + " rounds of "
                + operations + "):");
        report.forEach((name, value) -> out.println(String.format(Locale.ROOT, "  %-28s %s", name, value)));
        out.flush();
    }
}
