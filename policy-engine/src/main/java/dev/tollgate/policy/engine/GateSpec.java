package dev.tollgate.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One stage gate: a validator run over the run's latest artifact of a type when the stage is completed.
 *
 * @param workflow  the workflow the gate belongs to
 * @param stage     the stage it guards
 * @param id        gate id
 * @param artifact  artifact type it validates
 * @param validator validator name ({@code required-fields}, {@code no-pii}, {@code max-bytes}, {@code json-schema})
 * @param params    the whole gate entry as JSON, for the validator's own parameters
 * @param line      line of the gate in the YAML text
 */
public record GateSpec(String workflow, String stage, String id, String artifact, String validator, JsonNode params,
                       int line) {
}
