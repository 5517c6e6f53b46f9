package dev.tollgate.policy.engine;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variables a condition sees. {@code tool} and {@code args} are null for run admission. {@code now} is the
 * command's issuedAt, never the wall clock, so a replay decides the same way.
 *
 * @param principal the authenticated caller
 * @param run       the run as it stands
 * @param tool      the tool called, or null
 * @param args      the call's arguments as CEL values (see {@link CelValues#fromJson}), or null
 * @param now       event time of the command
 */
public record PolicyInput(Principal principal, Run run, Tool tool, Object args, Instant now) {

    /**
     * {@code principal}: {id, kind, tenant, roles}.
     *
     * @param id     principal id
     * @param kind   agent, human or service
     * @param tenant the principal's tenant
     * @param roles  its roles
     */
    public record Principal(String id, String kind, String tenant, List<String> roles) {

        public Principal {
            roles = List.copyOf(roles);
        }

        Map<String, Object> toCel() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("id", id);
            map.put("kind", kind);
            map.put("tenant", tenant);
            map.put("roles", roles);
            return map;
        }
    }

    /**
     * {@code run}: {id, workflow, environment, classification, stage, toolCalls, costMicros, tokens, input}.
     *
     * @param input the run input as CEL values (see {@link CelValues#fromJson})
     */
    public record Run(String id, String workflow, String environment, String classification, String stage,
                      long toolCalls, long costMicros, long tokens, Object input) {

        Map<String, Object> toCel() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("id", id);
            map.put("workflow", workflow);
            map.put("environment", environment);
            map.put("classification", classification);
            map.put("stage", stage);
            map.put("toolCalls", toolCalls);
            map.put("costMicros", costMicros);
            map.put("tokens", tokens);
            map.put("input", input == null ? Map.of() : input);
            return map;
        }
    }

    /** {@code tool}: {name, risk}. */
    public record Tool(String name, String risk) {

        Map<String, Object> toCel() {
            return Map.of("name", name, "risk", risk);
        }
    }
}
