package dev.kiln.internal.archive;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an OCI layout write created, to remove again if it fails: temp files always, blobs and directories
 * only if they did not exist before. Nothing is undone once {@code index.json} is committed. Used by
 * {@link OciLayoutWriter}, under its layout lock.
 */
final class Undo {
    private final List<Path> created = new ArrayList<>();

    void delete(Path path) {
        created.add(path);
    }

    void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.add(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
                // created concurrently by someone else: theirs, not ours to remove
            }
        }
    }

    /** index.json is in place: from here on the write has happened, whatever follows. */
    void committed() {
        created.clear();
    }

    void run() {
        // newest first: files before the directories that hold them
        for (int i = created.size() - 1; i >= 0; i--) {
            ArchiveFiles.deleteQuietly(created.get(i));
        }
        created.clear();
    }
}
