package dev.tollgate.kafka;

import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 fixture of every module's integration tests: one {@link EmbeddedKafka} per test JVM, started on
 * first use and closed when the test plan ends (it lives in the root {@link ExtensionContext} store). Use it with
 * {@code @ExtendWith(EmbeddedKafkaExtension.class)} and an {@code EmbeddedKafka} parameter on a test method,
 * constructor or {@code @BeforeAll} method.
 *
 * <p>The broker is shared by every test class of the JVM: isolate tests by unique application ids, group ids and
 * run ids ({@link #uniqueId(String)}), never by stopping or wiping the shared broker. A test that stops or
 * restarts a broker builds its own with {@link EmbeddedKafka#builder()}.
 */
public final class EmbeddedKafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
    private static final String KEY = "broker";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return shared(extensionContext);
    }

    /** The broker of this test JVM, started if this is its first use. */
    public static EmbeddedKafka shared(ExtensionContext context) {
        // The root store is closed at the end of the test plan; EmbeddedKafka is AutoCloseable, so JUnit closes it.
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, key -> EmbeddedKafka.builder().start(), EmbeddedKafka.class);
    }

    /** {@code prefix + "-" + 8 random hex digits}: for application ids, group ids, run ids and topic names. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
