package dev.kiln.internal.store;

import dev.kiln.error.KilnException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/** What the store's parts do with small files alike: replace one atomically, read every one of a directory. */
final class StoreFiles {
    private StoreFiles() {
    }

    /**
     * Replaces {@code file} with {@code content}: written beside it under a name of this process and
     * thread (ending in {@code .tmp}), then moved over it, so that a reader sees the old content or the
     * new, never a part of it.
     */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId() + ".tmp");
        try {
            Files.write(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * What {@code read} makes of each regular file in {@code dir}, down to {@code depth} levels; a file
     * it refuses with a {@link KilnException} (not content, unreadable) is skipped. Empty when there is
     * no {@code dir}.
     */
    static <T> List<T> readEach(Path dir, int depth, Function<Path, Optional<T>> read) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir, depth)) {
            List<T> values = new ArrayList<>();
            files.filter(Files::isRegularFile).forEach(file -> {
                try {
                    read.apply(file).ifPresent(values::add);
                } catch (KilnException skipped) {
                    // a stray or unreadable file: reading it on its own reports it
                }
            });
            return values;
        }
    }
}
