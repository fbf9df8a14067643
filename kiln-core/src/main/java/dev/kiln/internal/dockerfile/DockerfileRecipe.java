package dev.kiln.internal.dockerfile;

import dev.kiln.internal.build.ConfigChanges;
import dev.kiln.internal.build.Recipe;
import dev.kiln.error.StoreException;
import dev.kiln.image.ImageConfig;
import dev.kiln.internal.store.BaseFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A Dockerfile stage as a {@link Recipe}: evaluated with the base's environment, then {@code over}
 * (the request's own settings) applied on top. Archives {@code ADD} extracts live in a scratch
 * directory until the build is over.
 */
public final class DockerfileRecipe implements Recipe {
    private final DockerfileBuild file;
    private final ConfigChanges over;
    private Path scratch;

    /** {@code file}: read (and so checked) for one platform; {@code over}: changes applied on top of the stage's. */
    public DockerfileRecipe(DockerfileBuild file, ConfigChanges over) {
        this.file = file;
        this.over = over;
    }

    @Override
    public Addition apply(ImageConfig baseConfig, BaseFiles baseFiles) {
        try {
            scratch = scratch != null ? scratch : Files.createTempDirectory("kiln-dockerfile-");
        } catch (IOException e) {
            throw new StoreException("cannot create a scratch directory: " + e.getMessage(), e);
        }
        ImageConfig.RuntimeConfig runtime = baseConfig == null ? null : baseConfig.config();
        DockerfileBuild.Stage stage = file.evaluate(baseConfig == null ? java.util.List.of() : baseConfig.env(),
                runtime == null ? null : runtime.workingDir(), scratch, baseFiles);
        return new Addition(stage.layers(), stage.changes().then(over));
    }

    @Override
    public void close() {
        if (scratch == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it eventually
        }
    }
}
