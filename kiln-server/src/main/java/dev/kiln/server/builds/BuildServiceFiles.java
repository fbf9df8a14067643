package dev.kiln.server.builds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a build's directory, once it ended or was refused. */
final class BuildServiceFiles {
    private BuildServiceFiles() {
    }

    /** Removes {@code dir} and everything in it; what cannot be removed stays (a later start cleans it). */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is under the server's own folder
        }
    }
}
