package dev.kiln.internal.store;

import dev.kiln.image.Digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What Kiln built: one JSON line per published image (image, digest, base reference and digest,
 * time), appended under a lock, so that {@code kiln outdated} can tell which images sit on a base
 * tag that has moved since. Unreadable lines (a crash mid-append) are skipped.
 */
public final class Ledger {
    private final StoreLayout layout;

    Ledger(StoreLayout layout) {
        this.layout = layout;
    }

    /**
     * One built image.
     *
     * @param image     the image as published, by tag ({@code registry/repo:tag})
     * @param base      the base as the build named it ({@code null} for scratch)
     * @param baseDigest what the base resolved to for the build (the platform's manifest)
     * @param baseTop   what the base's tag named then (an index, or {@code baseDigest} itself); {@code null} in older entries
     */
    public record Entry(String image, Digest digest, String platform, String base, Digest baseDigest, Digest baseTop, Instant builtAt) {
    }

    public void append(Entry entry) {
        Path file = layout.ledger();
        try (Lease ignored = FileLocks.exclusive(layout.recordLock(file), () -> { })) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, StoreJson.line(entry) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw BlobStore.storeFailure("recording a built image in the ledger", e);
        }
    }

    /** Every entry, oldest first. */
    public List<Entry> entries() {
        List<String> lines;
        try {
            lines = Files.readAllLines(layout.ledger(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw BlobStore.storeFailure("reading the ledger", e);
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            try {
                entries.add(StoreJson.readLine(line));
            } catch (IOException | RuntimeException unreadable) {
                // a line cut short by a crash: the entry is lost, the others stand
            }
        }
        return entries;
    }
}
