package dev.tollgate.intake.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.policy.engine.PolicyProblem;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin route {@code PUT /v1/policies/{name}}: the body is a YAML policy bundle, compiled with the policy-engine
 * before it is written to {@code tollgate.policies.v1}, so a bundle the policy-processor would refuse is refused
 * here with {@code POLICY_INVALID} and its line-numbered problems. A version published already with other content is
 * 409 {@code VERSION_EXISTS} (with the published {@code name}, {@code version}, {@code sha256}); the same content
 * again is 201 and published again (see {@link PolicyAdmin}).
 */
public final class PolicyRoutes implements Feature {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyRoutes.class);

    private final Authenticator auth;
    private final BodyReader bodies;
    private final PolicyAdmin policies;

    public PolicyRoutes(Authenticator auth, BodyReader bodies, PolicyAdmin policies) {
        this.auth = auth;
        this.bodies = bodies;
        this.policies = policies;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.put("/v1/policies/{name}", this::publishPolicy);
    }

    private void publishPolicy(Context ctx) {
        Principal admin = auth.admin(ctx);
        String name = ctx.pathParam("name");
        if (!JsonBody.IDENT.matcher(name).matches()) {
            throw ApiException.fieldInvalid("name", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        String yaml = bodies.text(ctx);
        if (yaml.isBlank()) {
            throw new ApiException(ErrorCode.FIELD_REQUIRED, "the request body must be the YAML policy bundle");
        }
        PolicyAdmin.Validated validated;
        try {
            validated = PolicyAdmin.validate(yaml, name);
        } catch (PolicyAdmin.Refused refused) {
            throw ApiException.withDetails(ErrorCode.POLICY_INVALID, refused.getMessage(), problems(refused));
        }
        PolicyBundle bundle;
        try {
            bundle = policies.publish(validated, yaml, admin.principalId());
        } catch (PolicyAdmin.VersionExists exists) {
            throw ApiException.withDetails(ErrorCode.VERSION_EXISTS, exists.getMessage(), Answers.JSON.objectNode()
                    .put("name", exists.existing().getName()).put("version", exists.existing().getVersion())
                    .put("sha256", exists.existing().getSha256()));
        }
        LOG.info("policy bundle {} version {} published by {}", bundle.getName(), bundle.getVersion(),
                admin.principalId());
        Answers.json(ctx, 201, Answers.JSON.objectNode().put("name", bundle.getName())
                .put("version", bundle.getVersion()).put("sha256", bundle.getSha256()));
    }

    private static ObjectNode problems(PolicyAdmin.Refused refused) {
        ArrayNode problems = Answers.JSON.arrayNode();
        for (PolicyProblem problem : refused.problems()) {
            ObjectNode p = problems.addObject().put("line", problem.line());
            if (problem.ruleId() == null) {
                p.putNull("ruleId");
            } else {
                p.put("ruleId", problem.ruleId());
            }
            p.put("message", problem.message());
        }
        ObjectNode details = Answers.JSON.objectNode();
        details.set("problems", problems);
        return details;
    }
}
