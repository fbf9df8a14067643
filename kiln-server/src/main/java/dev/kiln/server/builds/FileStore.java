package dev.kiln.server.builds;

import dev.kiln.server.http.ApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Files the server holds by content digest ({@code PUT /api/v1/files/sha256:…}), so that a client sends
 * each job jar once: stored under {@code server/files/} in the cache directory, each verified against
 * its digest before it is kept.
 */
public final class FileStore {
    private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{64})");
    private final Path dir;

    /** Files under {@code dir}, created when missing. */
    public FileStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("incoming"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The held file of {@code digest}, if any. */
    public Optional<Path> path(String digest) {
        Path file = dir.resolve(hex(digest));
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * The held file of {@code digest} under the name {@code name}, for a build: {@code named/<hex>/<name>},
     * a hard link made on first use (a copy where links are impossible) and kept, so that every build
     * sees the same path, inode and times, and Kiln's file digest cache answers for it without reading
     * it again. The directory's time marks the use: retention keeps what builds still refer to.
     */
    Path named(Path held, String name) {
        Path named = dir.resolve("named").resolve(held.getFileName().toString());
        Path link = named.resolve(name);
        try {
            Files.createDirectories(named);
            if (!Files.exists(link)) {
                try {
                    Files.createLink(link, held);
                } catch (FileAlreadyExistsException raced) {
                    // another build linked it first: the same content
                } catch (IOException | UnsupportedOperationException e) {
                    Path copy = Files.createTempFile(named, name, ".part");
                    Files.copy(held, copy, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(copy, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.setLastModifiedTime(named, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return link;
    }

    /** The digests of {@code digests} the server does not hold, in order. */
    public List<String> missing(List<String> digests) {
        return digests.stream().filter(d -> path(d).isEmpty()).toList();
    }

    /**
     * Stores {@code body} as the file of {@code digest}, at most {@code maxBytes}; a body whose digest
     * differs, or that is too large, is refused and nothing is kept.
     */
    public void put(String digest, InputStream body, long maxBytes) {
        String hex = hex(digest);
        Path incoming;
        try {
            incoming = Files.createTempFile(dir.resolve("incoming"), hex, ".part");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(incoming), sha256)) {
                size = copyAtMost(body, out, maxBytes);
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(hex)) {
                throw ApiException.badRequest("the body's digest is sha256:" + actual + ", not " + digest + " (" + size + " bytes received)");
            }
            Files.move(incoming, dir.resolve(hex), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(incoming);
            } catch (IOException ignored) {
                // a leftover in incoming/ is harmless
            }
        }
    }

    /** Removes the held files not written or used since {@code before} (epoch milliseconds), with their names; returns how many. */
    public int prune(long before) {
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path named = dir.resolve("named").resolve(file.getFileName().toString());
                if (lastTouched(file) < before && lastTouched(named) < before) {
                    deleteTree(named);
                    if (Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    private static long lastTouched(Path path) throws IOException {
        return Files.exists(path) ? Files.getLastModifiedTime(path).toMillis() : Long.MIN_VALUE;
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (java.util.stream.Stream<Path> names = Files.list(directory)) {
            for (Path name : names.toList()) {
                Files.deleteIfExists(name);
            }
        }
        Files.deleteIfExists(directory);
    }

    private static long copyAtMost(InputStream in, OutputStream out, long maxBytes) throws IOException {
        byte[] buffer = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw new ApiException(413, "the file is larger than the upload limit of " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    private static String hex(String digest) {
        var m = DIGEST.matcher(digest == null ? "" : digest);
        if (!m.matches()) {
            throw ApiException.badRequest("'" + digest + "' is not a digest: expected sha256: and 64 lowercase hex digits");
        }
        return m.group(1);
    }
}
