package dev.tollgate.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The policy-processor's architecture as tests: its feature packages import each other without cycles (the
 * composition of the deciders lives in {@code decide}, above the features; {@code run} is the shared vocabulary
 * below them), and the deciders (and `run`, `engine`) know nothing of Kafka, so they run in milliseconds and are reused by replay and
 * {@code policy diff}.
 */
class PolicyArchitectureTest {

    private static final JavaClasses PROCESSOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate.policy");

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("dev.tollgate.policy.(*)..").should().beFreeOfCycles().check(PROCESSOR);
    }

    @Test
    void decidersDoNotUseKafka() {
        // state.StateAvro (the stores' serdes) is Processor-API plumbing, not a decider: it may use Kafka.
        noClasses().that().haveSimpleNameEndingWith("Decider")
                .or().resideInAnyPackage("dev.tollgate.policy.run..", "dev.tollgate.policy.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..")
                .check(PROCESSOR);
    }
}
