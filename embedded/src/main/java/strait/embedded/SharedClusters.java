package strait.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving each integration test class one shared {@link EmbeddedClusters} pair, started before its
 * first test and closed after its last. Register it as
 * {@code @RegisterExtension static final SharedClusters CLUSTERS = new SharedClusters();}.
 */
public final class SharedClusters implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedClusters.class);

    private EmbeddedClusters clusters;

    @Override
    public void beforeAll(ExtensionContext context) {
        // Stored in the class-level store, so JUnit closes it after the class's last test.
        clusters = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        context.getRequiredTestClass().getName(),
                        k -> new Closing(EmbeddedClusters.start()),
                        Closing.class)
                .clusters();
    }

    /** The pair of this test class; valid from {@code @BeforeAll} on. */
    public EmbeddedClusters clusters() {
        if (clusters == null) {
            throw new IllegalStateException("SharedClusters is used before JUnit's beforeAll: register it static");
        }
        return clusters;
    }

    public String sourceBootstrapServers() {
        return clusters().sourceBootstrapServers();
    }

    public String targetBootstrapServers() {
        return clusters().targetBootstrapServers();
    }

    private record Closing(EmbeddedClusters clusters) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            clusters.close();
        }
    }
}
