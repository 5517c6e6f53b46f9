package dev.tollgate.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Services depend on events-schema (and the policy-engine library), never on each other: only the launcher may
 * see them all. Checked on the classes the launcher's classpath holds, which is every module.
 */
class ServicesIndependenceTest {

    private static final String INTAKE = "dev.tollgate.intake..";
    private static final String GATEWAY = "dev.tollgate.gateway..";
    private static final String PROJECTOR = "dev.tollgate.projector..";
    private static final String[] PROCESSOR = {"dev.tollgate.policy", "dev.tollgate.policy.admission..",
        "dev.tollgate.policy.approval..", "dev.tollgate.policy.artifacts..", "dev.tollgate.policy.cases..",
        "dev.tollgate.policy.decide..", "dev.tollgate.policy.diff..", "dev.tollgate.policy.finish..",
        "dev.tollgate.policy.gates..", "dev.tollgate.policy.kill..", "dev.tollgate.policy.limits..",
        "dev.tollgate.policy.result..", "dev.tollgate.policy.run..", "dev.tollgate.policy.state..",
        "dev.tollgate.policy.toolcall..", "dev.tollgate.policy.usage.."};

    private static final JavaClasses ALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tollgate");

    @Test
    void intakeDependsOnNoOtherService() {
        noClasses().that().resideInAPackage(INTAKE).should().dependOnClassesThat()
                .resideInAnyPackage(concat(PROCESSOR, GATEWAY, PROJECTOR)).check(ALL);
    }

    @Test
    void thePolicyProcessorDependsOnNoOtherService() {
        noClasses().that().resideInAnyPackage(PROCESSOR).should().dependOnClassesThat()
                .resideInAnyPackage(INTAKE, GATEWAY, PROJECTOR).check(ALL);
    }

    @Test
    void theGatewayDependsOnNoOtherService() {
        noClasses().that().resideInAPackage(GATEWAY).should().dependOnClassesThat()
                .resideInAnyPackage(concat(PROCESSOR, INTAKE, PROJECTOR)).check(ALL);
    }

    @Test
    void theProjectorDependsOnNoOtherService() {
        noClasses().that().resideInAPackage(PROJECTOR).should().dependOnClassesThat()
                .resideInAnyPackage(concat(PROCESSOR, INTAKE, GATEWAY)).check(ALL);
    }

    private static String[] concat(String[] packages, String... more) {
        String[] all = new String[packages.length + more.length];
        System.arraycopy(packages, 0, all, 0, packages.length);
        System.arraycopy(more, 0, all, packages.length, more.length);
        return all;
    }
}
