package dev.kiln.internal.build;

import dev.kiln.image.ImageConfig;
import dev.kiln.internal.store.BaseFiles;
import dev.kiln.internal.layer.LayerSource;

import java.util.List;

/**
 * What a build adds to a base: given the base's config, the layers and the configuration changes.
 * Explicit layers, a Dockerfile stage and a Flink job are recipes; the {@link BuildRunner} does the
 * rest (destination, platforms, bases, image or index, sink, ledger, store limit) the same for all.
 * A recipe is asked for every platform's base before any image is made, so it may refuse (bases that
 * disagree) before anything is published.
 */
public interface Recipe extends AutoCloseable {

    /**
     * The layers and config changes on a base with {@code baseConfig} ({@code null}: scratch) whose files
     * {@code baseFiles} lists (read from the base's layers only when asked: a Dockerfile RUN that touches them).
     */
    Addition apply(ImageConfig baseConfig, BaseFiles baseFiles);

    /**
     * {@code false}: {@link #apply} ignores the base, so the runner asks it before the base is resolved
     * and packs the layers meanwhile.
     */
    default boolean dependsOnBase() {
        return true;
    }

    /** Releases what the recipe made for the build (scratch files); the runner calls it when the build is over. */
    @Override
    default void close() {
    }

    /** What a recipe adds, bottom layer first. */
    record Addition(List<LayerSource> layers, ConfigChanges changes) {
        public Addition {
            layers = List.copyOf(layers);
            changes = changes == null ? ConfigChanges.NONE : changes;
        }
    }

    /** Fixed layers and changes, whatever the base: {@code kiln build --add}. */
    static Recipe layers(List<LayerSource> layers, ConfigChanges changes) {
        Addition addition = new Addition(layers, changes);
        return new Recipe() {
            @Override
            public Addition apply(ImageConfig baseConfig, BaseFiles baseFiles) {
                return addition;
            }

            @Override
            public boolean dependsOnBase() {
                return false;
            }
        };
    }
}
