package dev.tollgate.intake.command;

import dev.tollgate.events.Command;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.kafka.Publisher;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an accepted request into one {@link Command} on {@code tollgate.commands.v1}, keyed by runId, produced
 * idempotently with {@code acks=all} before the answer, so a 202 means the command is durable. Carries the W3C
 * {@code traceparent} of the request (or starts one), is signed with the intake service key on behalf of the
 * authenticated principal (the processor decides nothing it cannot attribute), and counts commands by type
 * ({@code tollgate.intake.commands}).
 */
public final class CommandProducer {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProducer.class);
    /** The signer named on intake's proofs. */
    static final String SIGNER = "intake";

    private final Publisher publisher;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Tracing tracing;

    public CommandProducer(Publisher publisher, Clock clock, MeterRegistry meters) {
        this(publisher, clock, meters, Tracing.off());
    }

    /** As above, with a span per command produced ({@code tracing}; off: the request's traceparent as is). */
    public CommandProducer(Publisher publisher, Clock clock, MeterRegistry meters, Tracing tracing) {
        this.tracing = tracing;
        this.publisher = publisher;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * The run id of an {@code Idempotency-Key}: the same for the same principal and key, and unpredictable to anyone
     * without the intake service key (an HMAC), so no other principal can claim a run id before its owner does.
     */
    public String derivedRunId(Principal principal, String idempotencyKey) {
        return Ids.keyed(publisher.commandKeys().derive("run-ids"), "run", principal.tenantId(),
                principal.principalId(), idempotencyKey);
    }

    /** Produces the command with a fresh command id and answers 202 with the run and command ids. */
    public void accepted(Context ctx, Principal principal, String runId, Object payload) {
        String commandId = Ids.random();
        produce(ctx, principal, runId, commandId, payload);
        Answers.json(ctx, 202, Answers.JSON.objectNode().put("runId", runId).put("commandId", commandId));
    }

    /** Produces the command (blocking until Kafka acknowledged it); the route writes the answer. */
    public void produce(Context ctx, Principal principal, String runId, String commandId, Object payload) {
        String type = payload.getClass().getSimpleName();
        try (Tracing.Step step = tracing.start("intake " + type, SpanKind.SERVER,
                Traceparent.fromHeaderOrStart(ctx.header("traceparent")))) {
            step.attribute("tollgate.run_id", runId);
            produce(ctx, principal, runId, commandId, payload, step.traceparent());
        }
    }

    private void produce(Context ctx, Principal principal, String runId, String commandId, Object payload,
                         String traceparent) {
        Command command = Command.newBuilder()
                .setCommandId(commandId)
                .setRunId(runId)
                .setTenantId(principal.tenantId())
                .setPrincipalId(principal.principalId())
                .setIssuedAt(clock.instant())
                .setTraceparent(traceparent)
                .setPayload(payload)
                .build();
        Proofs.signHmac(command, publisher.commandKeys(), SIGNER);
        publisher.publish(Topics.COMMANDS, runId, command, traceparent);
        ctx.header("traceparent", traceparent);
        Counter.builder("tollgate.intake.commands").tag("type", payload.getClass().getSimpleName())
                .description("Commands produced").register(meters).increment();
        LOG.debug("command {} {} produced for run {}", payload.getClass().getSimpleName(), commandId, runId);
    }
}
