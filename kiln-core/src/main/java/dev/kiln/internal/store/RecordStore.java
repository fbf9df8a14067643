package dev.kiln.internal.store;

import dev.kiln.error.StoreException;
import dev.kiln.image.Reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Records of (reference, platform) → manifest digest, one JSON file per reference. Writes are
 * read-modify-write under the record's file lock and land by atomic rename, so a reader never sees
 * a half-written record and a crash leaves the previous one.
 */
public final class RecordStore {
    private final StoreLayout layout;

    RecordStore(StoreLayout layout) {
        this.layout = layout;
    }

    public Optional<RefRecord> find(Reference ref) {
        return read(layout.record(ref));
    }

    /**
     * Replaces the record of {@code ref} with {@code change} applied to the current one (empty when
     * there is none); a {@code null} result deletes it.
     */
    public RefRecord update(Reference ref, UnaryOperator<Optional<RefRecord>> change) {
        Path file = layout.record(ref);
        try (Lease ignored = FileLocks.exclusive(layout.recordLock(file), () -> { })) {
            RefRecord updated = change.apply(read(file)).orElse(null);
            if (updated == null) {
                Files.deleteIfExists(file);
                return null;
            }
            StoreFiles.writeAtomically(file, StoreJson.write(updated));
            return updated;
        } catch (IOException e) {
            throw BlobStore.storeFailure("writing the record of " + ref, e);
        }
    }

    /**
     * Holds {@code ref}'s resolution lock: one resolution of a reference at a time, in this process and
     * others, so that those waiting find the record the first one wrote instead of asking the registry
     * again. {@code onWait} runs when another process holds it.
     */
    public Lease lockResolution(Reference ref, Runnable onWait) {
        return FileLocks.exclusive(layout.resolutionLock(layout.record(ref)), onWait);
    }

    public void delete(Reference ref) {
        update(ref, current -> Optional.empty());
    }

    /** Every record, for listings and garbage collection; unreadable ones are skipped. */
    public List<RefRecord> list() {
        try {
            return StoreFiles.readEach(layout.refsDir(), Integer.MAX_VALUE, f -> isRecord(f) ? read(f) : Optional.empty());
        } catch (IOException e) {
            throw BlobStore.storeFailure("listing records", e);
        }
    }

    private static boolean isRecord(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("@") && name.endsWith(".json");
    }

    private Optional<RefRecord> read(Path file) {
        try {
            return Optional.of(StoreJson.readRefRecord(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new StoreException("unreadable record " + file + ": " + e.getMessage()
                    + " (delete it, or run 'kiln cache rm' for that image)", e);
        }
    }
}
