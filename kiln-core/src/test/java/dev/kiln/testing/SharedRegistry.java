package dev.kiln.testing;

import dev.kiln.image.Platform;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One real registry for a whole test class, with an image factory:
 * {@code @RegisterExtension static final SharedRegistry REGISTRY = SharedRegistry.plain(7);}
 */
public final class SharedRegistry implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<RegistryFixture> start;
    private final long seed;
    private final AtomicInteger repositories = new AtomicInteger();
    private RegistryFixture registry;
    private TestImages images;
    private FlinkBase flinkBase;
    private RootfsBase shellBase;
    private Path shellBaseWork;

    private SharedRegistry(Supplier<RegistryFixture> start, long seed) {
        this.start = start;
        this.seed = seed;
    }

    /** A plain-HTTP registry; {@code seed} makes the images' content. */
    public static SharedRegistry plain(long seed) {
        return new SharedRegistry(RegistryFixture::plain, seed);
    }

    /** A registry that speaks HTTPS only, with a self-signed certificate ({@link RegistryFixture#tls()}). */
    public static SharedRegistry tls(long seed) {
        return new SharedRegistry(RegistryFixture::tls, seed);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        registry = start.get();
        images = new TestImages(registry, seed);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
        }
        if (shellBaseWork != null) {
            Commands.bytes("rm", "-rf", shellBaseWork.toString());
        }
    }

    public RegistryFixture registry() {
        return registry;
    }

    public TestImages images() {
        return images;
    }

    /** A Flink-shaped base ({@link FlinkBase}) at {@code flink/flink:1.18}, pushed on first use, shared by the class's tests. */
    public synchronized FlinkBase flinkBase() {
        if (flinkBase == null) {
            flinkBase = FlinkBase.push(registry, "flink/flink:1.18");
        }
        return flinkBase;
    }

    /** A Debian-like base with a shell ({@link RootfsBase#pushShellBase}), pushed on first use, shared by the class's tests. */
    public synchronized RootfsBase shellBase() {
        if (shellBase == null) {
            try {
                shellBaseWork = Files.createTempDirectory("kiln-shell-base-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shellBase = RootfsBase.pushShellBase(registry, shellBaseWork);
        }
        return shellBase;
    }

    /** A repository name no other test of the class uses: {@code prefix + n}. */
    public String freshRepository(String prefix) {
        return prefix + repositories.incrementAndGet();
    }

    /** Pushes an image with layers of the given sizes to a fresh repository, tag {@code 1}. */
    public TestImages.Pushed pushFresh(String prefix, Platform platform, int... layerSizes) {
        return images.push(freshRepository(prefix) + ":1", platform, layerSizes);
    }
}
