package dev.kiln.internal.store;

import java.nio.file.Path;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The file tree of a base image, as its layers stack up (whiteouts and opaque directories applied):
 * what a Dockerfile {@code RUN} looks at when it touches paths the base holds. Read on first use only,
 * so that a build that never asks reads no layer.
 */
public interface BaseFiles {
    /** No base ({@code FROM scratch}). */
    BaseFiles NONE = new BaseFiles() {
        @Override
        public NavigableMap<String, LayerIndex.Entry> tree() {
            return Collections.unmodifiableNavigableMap(new TreeMap<>());
        }

        @Override
        public void copy(String path, Path target) {
            throw new IllegalArgumentException("no base: " + path);
        }
    };

    /**
     * Every path of the merged tree (relative to {@code /}, no trailing slash) → its entry; types
     * {@code d}, {@code f}, {@code l} or {@code x} (a hard link appears as the file it links to).
     */
    NavigableMap<String, LayerIndex.Entry> tree();

    /** Writes the content of the regular file {@code path} to {@code target}. */
    void copy(String path, Path target);

    /** Writes the content of each regular file (path → target); an implementation reads each layer once for all. */
    default void copyAll(java.util.Map<String, Path> targets) {
        targets.forEach(this::copy);
    }
}
