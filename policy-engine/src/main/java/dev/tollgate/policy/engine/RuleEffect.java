package dev.tollgate.policy.engine;

import java.util.Locale;

/** Effect of a tool rule, spelt in YAML as {@code allow}, {@code deny}, {@code require_approval}. */
public enum RuleEffect {
    ALLOW, DENY, REQUIRE_APPROVAL;

    /** The YAML spelling, also recorded in {@code ShadowMatch.effect}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
