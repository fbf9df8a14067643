package dev.kiln.internal.store;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import dev.kiln.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Content-addressable blobs, containerd's way: write to {@code ingest/}, fsync, verify size and
 * digest, rename atomically into {@code blobs/}, fsync the directory. A blob that fails
 * verification is never served: a blob is re-hashed whenever its file's stat differs from the one
 * recorded when it was last verified, and deleted when the hash does not match.
 */
public final class BlobStore {
    private final StoreLayout layout;
    private final KilnListener listener;

    BlobStore(StoreLayout layout, KilnListener listener) {
        this.layout = layout;
        this.listener = listener;
    }

    /** Fills a {@link BlobWriter} with the blob's content, e.g. by streaming it from a registry. */
    @FunctionalInterface
    public interface Filler {
        void fill(BlobWriter writer) throws IOException;
    }

    /**
     * Makes sure the blob is present and verified, calling {@code filler} only when it is not.
     * Concurrent callers for the same digest, in this process or others, fetch it once: the
     * others wait and then find it present. Returns whether this call fetched it.
     */
    public boolean ensure(Digest digest, long size, Filler filler) {
        if (isVerified(digest)) {
            return false;
        }
        try (Lease ignored = FileLocks.exclusive(layout.blobLock(digest),
                () -> listener.onEvent(new KilnEvent.CacheDecision(digest.shortHex(), "wait",
                        "another process is fetching this blob; waiting for it")))) {
            if (isVerified(digest)) {
                return false;
            }
            Path ingest = layout.ingest(digest);
            Files.createDirectories(ingest.getParent());
            try (BlobWriter writer = BlobWriter.continuing(ingest, size)) {
                fillContinuing(digest, size, filler, writer);
            } catch (DigestMismatchException | StoreException e) {
                Files.deleteIfExists(ingest);
                throw e;
            } catch (IOException | RuntimeException e) {
                // an interrupted transfer: its bytes stay in ingest/ for the next attempt, in this process or the next
                if (Files.size(ingest) == 0 || isDiskFull(e)) {
                    Files.deleteIfExists(ingest);
                }
                throw e;
            }
            commit(ingest, digest);
            return true;
        } catch (IOException e) {
            throw storeFailure("writing blob " + digest.shortHex(), e);
        }
    }

    /**
     * Fills the writer from where an earlier attempt left it (a {@code Range} request continues from
     * {@link BlobWriter#written()}) and verifies the whole. Bytes kept from an earlier attempt that turn
     * out wrong are discarded and the blob is fetched once more from its start: never committed corrupt.
     */
    private void fillContinuing(Digest digest, long size, Filler filler, BlobWriter writer) throws IOException {
        long kept = writer.written();
        if (kept > 0) {
            listener.onEvent(new KilnEvent.CacheDecision(digest.shortHex(), "resume",
                    "continuing an interrupted download from byte " + kept + (size >= 0 ? " of " + size : "")));
        }
        try {
            if (kept != size) {   // kept bytes that are the whole blob need no request
                filler.fill(writer);
            }
            writer.verify(digest, size);
        } catch (DigestMismatchException e) {
            if (kept == 0) {
                throw e;
            }
            listener.onEvent(new KilnEvent.Warning("the " + kept + " bytes kept of blob " + digest.shortHex()
                    + " from an interrupted download did not verify (" + e.getMessage() + "); fetching it again from the start"));
            writer.reset();
            filler.fill(writer);
            writer.verify(digest, size);
        }
    }

    /** What {@link #write} stored: the content's digest and size, known only once it was written. */
    public record Written(Digest digest, long size) {
    }

    /**
     * Stores content whose digest is not known in advance (a layer being built): it is written to a
     * private ingest file, hashed on the way, and committed under the digest it turned out to have.
     */
    public Written write(Filler filler) {
        Path ingest;
        try {
            Files.createDirectories(layout.ingestDir());
            ingest = Files.createTempFile(layout.ingestDir(), "new-", ".partial");
        } catch (IOException e) {
            throw storeFailure("creating an ingest file", e);
        }
        try {
            Digest digest;
            long size;
            try (BlobWriter writer = new BlobWriter(ingest)) {
                filler.fill(writer);
                digest = writer.finish();
                size = writer.written();
            }
            try (Lease ignored = FileLocks.exclusive(layout.blobLock(digest), () -> { })) {
                if (isVerified(digest)) {
                    Files.delete(ingest);
                } else {
                    commit(ingest, digest);
                }
            }
            return new Written(digest, size);
        } catch (IOException e) {
            deleteQuietly(ingest);
            throw storeFailure("writing a new blob", e);
        } catch (RuntimeException e) {
            deleteQuietly(ingest);
            throw e;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next prune removes stale ingest files
        }
    }

    /** Stores small content already in memory (manifests, configs). */
    public void put(byte[] content) {
        Digest digest = Digest.sha256(content);
        ensure(digest, content.length, writer -> writer.write(content));
    }

    /** Reads a small blob whole and checks its digest on every read; empty when absent or corrupt. */
    public Optional<byte[]> readSmall(Digest digest, int limit) {
        Path path = layout.blob(digest);
        try {
            if (Files.size(path) > limit) {
                throw new StoreException("blob " + digest + " is larger than " + limit + " bytes");
            }
            byte[] bytes = Files.readAllBytes(path);
            if (!Digest.sha256(bytes).equals(digest)) {
                quarantine(digest, "content does not match its digest");
                return Optional.empty();
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw storeFailure("reading blob " + digest.shortHex(), e);
        }
    }

    /** Opens a present, verified blob for streaming. */
    public InputStream open(Digest digest) {
        if (!isVerified(digest)) {
            throw new StoreException("blob " + digest + " is not in the store");
        }
        try {
            return Files.newInputStream(layout.blob(digest));
        } catch (IOException e) {
            throw storeFailure("opening blob " + digest.shortHex(), e);
        }
    }

    /**
     * Whether the blob is present and known good: its stat matches the stamp written when it was
     * verified, or, failing that, re-hashing it proves it; a blob that fails is deleted.
     */
    public boolean isVerified(Digest digest) {
        Path path = layout.blob(digest);
        Optional<String> stat = stat(path);
        if (stat.isEmpty()) {
            return false;
        }
        try {
            Path stamp = layout.verifiedStamp(digest);
            if (Files.exists(stamp) && Files.readString(stamp).equals(stat.get())) {
                return true;
            }
            return rehash(digest);
        } catch (IOException e) {
            throw storeFailure("checking blob " + digest.shortHex(), e);
        }
    }

    /** Re-hashes the blob regardless of stamps (for {@code cache verify}); deletes it when corrupt. */
    public boolean rehash(Digest digest) {
        Path path = layout.blob(digest);
        try (InputStream in = Files.newInputStream(path)) {
            var sha256 = Digest.newSha256();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            if (!Digest.fromSha256(sha256.digest()).equals(digest)) {
                quarantine(digest, "content does not match its digest");
                return false;
            }
            stamp(digest);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw storeFailure("verifying blob " + digest.shortHex(), e);
        }
    }

    public long size(Digest digest) {
        try {
            return Files.size(layout.blob(digest));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw storeFailure("reading size of blob " + digest.shortHex(), e);
        }
    }

    /** Every blob digest present, verified or not. */
    public List<Digest> list() {
        try {
            return StoreFiles.readEach(layout.blobsDir(), 1, f -> Optional.of(new Digest("sha256", f.getFileName().toString())));
        } catch (IOException e) {
            throw storeFailure("listing blobs", e);
        }
    }

    public void delete(Digest digest) {
        try {
            Files.deleteIfExists(layout.verifiedStamp(digest));
            Files.deleteIfExists(layout.blob(digest));
        } catch (IOException e) {
            throw storeFailure("deleting blob " + digest.shortHex(), e);
        }
    }

    private void quarantine(Digest digest, String why) {
        listener.onEvent(new KilnEvent.Warning("store blob " + digest.shortHex() + " is corrupt (" + why
                + "); removed, it will be fetched again"));
        delete(digest);
    }

    private void commit(Path ingest, Digest digest) throws IOException {
        Path target = layout.blob(digest);
        Files.createDirectories(target.getParent());
        try {
            Files.setPosixFilePermissions(ingest, PosixFilePermissions.fromString("r--r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // read-only is a guard, not a requirement
        }
        try {
            Files.move(ingest, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Files.move(ingest, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(target.getParent());
        stamp(digest);
    }

    private void stamp(Digest digest) throws IOException {
        Optional<String> stat = stat(layout.blob(digest));
        if (stat.isPresent()) {
            StoreFiles.writeAtomically(layout.verifiedStamp(digest), stat.get().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Size, modification and change times and inode: any write to the file changes one of them. */
    private static Optional<String> stat(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:size,lastModifiedTime,ctime,ino");
            return Optional.of(a.get("size") + " " + a.get("lastModifiedTime") + " " + a.get("ctime") + " " + a.get("ino"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw storeFailure("reading " + path, e);
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync directories; the rename is still atomic
        }
    }

    private static boolean isDiskFull(Exception e) {
        return e.getMessage() != null && e.getMessage().contains("No space left on device");
    }

    /** Turns an I/O failure into a one-line error that names its cause, a full disk above all. */
    static StoreException storeFailure(String what, IOException e) {
        if (isDiskFull(e)) {
            return new StoreException("disk full while " + what + " (No space left on device): free space or prune the cache with 'kiln cache prune'", e);
        }
        return new StoreException(what + " failed: " + cause(e), e);
    }

    /**
     * What the operating system said, with the file: the JDK's file-system exceptions often carry only
     * the path in their message ({@code AccessDeniedException: /x}), so the reason is named from the type.
     */
    static String cause(IOException e) {
        if (e instanceof FileSystemException fs) {
            String reason = fs.getReason() != null ? fs.getReason()
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof FileAlreadyExistsException ? "a file is in the way"
                    : e.getClass().getSimpleName();
            String file = fs.getFile();
            return (file == null ? "" : file + ": ") + reason.toLowerCase(java.util.Locale.ROOT)
                    + (fs.getOtherFile() == null ? "" : " (" + fs.getOtherFile() + ")");
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

}
