package dev.tollgate.intake.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.IdentityIndex;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Admin read routes: {@code GET /v1/identities}, {@code GET /v1/kill-switches}, {@code GET /v1/policies} (the
 * latest version of each bundle) and {@code GET /v1/policies/{name}/versions} (every version, oldest first), from
 * intake's views of {@code tollgate.identities.v1}, {@code tollgate.kill-switches.v1} and
 * {@code tollgate.policies.v1}. Paged: {@code ?limit=} (1-500, default 100) and the {@code nextCursor} of the
 * previous page as {@code ?cursor=}; {@code ?tenant=} narrows identities to one tenant.
 */
public final class AdminReadRoutes implements Feature {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 500;

    private final Authenticator auth;
    private final IdentityIndex identities;
    private final KillSwitchIndex killSwitches;
    private final PolicyIndex policies;

    public AdminReadRoutes(Authenticator auth, IdentityIndex identities, KillSwitchIndex killSwitches,
                           PolicyIndex policies) {
        this.auth = auth;
        this.identities = identities;
        this.killSwitches = killSwitches;
        this.policies = policies;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.get("/v1/identities", this::listIdentities);
        config.routes.get("/v1/kill-switches", this::listKillSwitches);
        config.routes.get("/v1/policies", this::listPolicies);
        config.routes.get("/v1/policies/{name}/versions", this::listVersions);
    }

    private void listIdentities(Context ctx) {
        auth.admin(ctx);
        String tenant = ctx.queryParam("tenant");
        List<Identity> all = identities.all().stream()
                .filter(i -> tenant == null || tenant.isBlank() || tenant.equals(i.getTenantId())).toList();
        page(ctx, "identities", all, Identity::getPrincipalId, AdminJson::identity);
    }

    private void listKillSwitches(Context ctx) {
        auth.admin(ctx);
        List<KillSwitch> all = new ArrayList<>(killSwitches.all());
        all.sort((a, b) -> KillSwitchAdmin.key(a.getScope(), a.getTarget())
                .compareTo(KillSwitchAdmin.key(b.getScope(), b.getTarget())));
        page(ctx, "killSwitches", all, s -> KillSwitchAdmin.key(s.getScope(), s.getTarget()), AdminJson::killSwitch);
    }

    private void listPolicies(Context ctx) {
        auth.admin(ctx);
        Map<String, PolicyBundle> latest = new LinkedHashMap<>();
        policies.all().forEach(b -> latest.put(b.getName(), b));
        List<PolicyBundle> sorted = latest.values().stream()
                .sorted((a, b) -> a.getName().compareTo(b.getName())).toList();
        page(ctx, "policies", sorted, PolicyBundle::getName, AdminJson::policy);
    }

    private void listVersions(Context ctx) {
        auth.admin(ctx);
        String name = ctx.pathParam("name");
        if (!JsonBody.IDENT.matcher(name).matches()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no policy bundle with that name");
        }
        List<PolicyBundle> versions = policies.versions(name);
        if (versions.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no policy bundle named " + name);
        }
        boolean yaml = "true".equals(ctx.queryParam("yaml"));
        // Versions page by position (oldest first): versions are never removed, so a position is stable.
        List<Map.Entry<String, PolicyBundle>> indexed = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            indexed.add(Map.entry(String.format("%010d", i), versions.get(i)));
        }
        page(ctx, "versions", indexed, Map.Entry::getKey, e -> {
            ObjectNode node = AdminJson.policy(e.getValue());
            return yaml ? node.put("yaml", e.getValue().getYaml()) : node;
        });
    }

    /** Writes {@code {<field>: [...], nextCursor?}} for the items after the cursor, in the order given. */
    private static <T> void page(Context ctx, String field, List<T> items, Function<T, String> key,
                                 Function<T, ObjectNode> json) {
        int limit = limit(ctx.queryParam("limit"));
        String cursor = ctx.queryParam("cursor");
        ObjectNode body = Answers.JSON.objectNode();
        ArrayNode array = body.putArray(field);
        boolean after = cursor == null || cursor.isEmpty();
        String last = null;
        int shown = 0;
        boolean more = false;
        for (T item : items) {
            String k = key.apply(item);
            if (!after) {
                after = k.equals(cursor);
                continue;
            }
            if (shown == limit) {
                more = true;
                break;
            }
            array.add(json.apply(item));
            last = k;
            shown++;
        }
        if (!after) {
            throw ApiException.fieldInvalid("cursor", "is not the nextCursor of a page of this list");
        }
        if (more) {
            body.put("nextCursor", last);
        }
        Answers.json(ctx, 200, body);
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiException.fieldInvalid("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }
}
