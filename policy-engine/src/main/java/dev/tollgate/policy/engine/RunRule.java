package dev.tollgate.policy.engine;

/**
 * One {@code runs} entry: admission, first match wins. An entry either rejects ({@code effect: deny},
 * {@link #grants()} null) or grants.
 *
 * @param id     rule id, unique in the bundle's runs
 * @param line   line of the entry in the YAML text
 * @param deny   true for {@code effect: deny}
 * @param when   the CEL condition's source
 * @param grants what the run may do; null for a deny entry
 */
public record RunRule(String id, int line, boolean deny, String when, RunGrants grants) {
}
