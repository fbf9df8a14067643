package dev.kiln.internal.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** File-system helpers the writers share: temp names, fsync, one-line error reasons. */
final class ArchiveFiles {
    static final String TEMP_SUFFIX = ".kiln-tmp";

    private ArchiveFiles() {
    }

    /**
     * A fresh temp file name in {@code dir}, hidden and recognisable. Temp files live next to their
     * target so that the final rename stays on one file system and is atomic.
     */
    static Path tempName(Path dir, String prefix) {
        return dir.resolve("." + prefix + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + TEMP_SUFFIX);
    }

    /** Makes a rename in {@code dir} durable; best effort, as not every file system supports it. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the rename happened; durability across a power loss is all that is at stake
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: cleaning up after a failure that is being reported
        }
    }

    /** One line saying what went wrong and where, without the Java exception class names. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof NoSuchFileException missing) {
            return "no such file or directory: " + missing.getFile();
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return "already exists: " + exists.getFile();
        }
        if (e instanceof FileSystemException fs) {
            String reason = fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
            return fs.getFile() != null ? reason + ": " + fs.getFile() : reason;
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
