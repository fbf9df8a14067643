package dev.kiln.server.builds;

import dev.kiln.server.http.ApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** Marks the held file of {@code digest} as used now: retention keeps what builds still refer to. */
    void used(Path file) {
        try {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // a file that cannot be touched is only removed sooner
        }
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

    /** Removes the held files not written or used since {@code before} (epoch milliseconds); returns how many. */
    public int prune(long before) {
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (Files.getLastModifiedTime(file).toMillis() < before && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
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
