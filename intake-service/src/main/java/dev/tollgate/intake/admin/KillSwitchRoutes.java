package dev.tollgate.intake.admin;

import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin routes {@code PUT} (engage, a reason is required) and {@code DELETE} (lift)
 * {@code /v1/kill-switches/{scope}/{target}}: each writes the switch's new state to the compacted
 * {@code tollgate.kill-switches.v1}, which the policy-processor joins as a global table.
 */
public final class KillSwitchRoutes implements Feature {

    private static final Logger LOG = LoggerFactory.getLogger(KillSwitchRoutes.class);

    private final Authenticator auth;
    private final BodyReader bodies;
    private final KillSwitchAdmin killSwitches;

    public KillSwitchRoutes(Authenticator auth, BodyReader bodies, KillSwitchAdmin killSwitches) {
        this.auth = auth;
        this.bodies = bodies;
        this.killSwitches = killSwitches;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.put("/v1/kill-switches/{scope}/{target}", ctx -> killSwitch(ctx, true));
        config.routes.delete("/v1/kill-switches/{scope}/{target}", ctx -> killSwitch(ctx, false));
    }

    private void killSwitch(Context ctx, boolean engage) {
        Principal admin = auth.admin(ctx);
        KillSwitchScope scope = KillSwitchAdmin.scope(ctx.pathParam("scope"))
                .orElseThrow(() -> ApiException.fieldInvalid("scope", "must be global, tenant, agent or run"));
        String target = ctx.pathParam("target");
        if (scope != KillSwitchScope.GLOBAL && !JsonBody.IDENT.matcher(target).matches()) {
            throw ApiException.fieldInvalid("target", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        String text = bodies.text(ctx);
        String reason;
        if (engage) {
            reason = JsonBody.parse(text).requiredString("reason", 2000);
        } else {
            reason = text.isBlank() ? "" : JsonBody.parse(text).optionalString("reason", 2000).orElse("");
        }
        KillSwitch written = killSwitches.write(scope, target, engage, reason, admin.principalId());
        LOG.info("kill switch {} {} by {}", KillSwitchAdmin.key(scope, written.getTarget()),
                engage ? "engaged" : "lifted", admin.principalId());
        Answers.json(ctx, 200, Answers.JSON.objectNode()
                .put("key", KillSwitchAdmin.key(scope, written.getTarget()))
                .put("scope", scope.name().toLowerCase(Locale.ROOT))
                .put("target", written.getTarget())
                .put("engaged", written.getEngaged())
                .put("reason", written.getReason()));
    }
}
