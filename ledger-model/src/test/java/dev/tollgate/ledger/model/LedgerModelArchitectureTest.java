package dev.tollgate.ledger.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The ledger model is the one pure fold shared by the projector, the CLI, intake, MCP and the console: it knows
 * nothing of Kafka (so replay and tests run it without a broker) and nothing of the services that use it.
 */
class LedgerModelArchitectureTest {

    private static final JavaClasses MODEL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate.ledger.model");

    @Test
    void theFoldKnowsNothingOfKafka() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..").check(MODEL);
    }

    @Test
    void theFoldKnowsNothingOfTheServicesThatUseIt() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.tollgate.projector..",
                "dev.tollgate.intake..", "dev.tollgate.launcher..", "dev.tollgate.gateway..", "dev.tollgate.policy..")
                .check(MODEL);
    }
}
