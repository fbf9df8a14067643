package dev.kiln.server.client;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Directories as tars (names sorted, modes kept, times zeroed, so that the same contents make the same bytes), and digests of files. */
final class Tars {
    private Tars() {
    }

    /** A tar of {@code dir}'s contents in {@code scratch}. */
    static Path pack(Path dir, Path scratch) {
        try {
            Files.createDirectories(scratch);
            Path tar = Files.createTempFile(scratch, "dir-", ".tar");
            List<Path> entries;
            try (Stream<Path> walk = Files.walk(dir)) {
                entries = walk.filter(p -> !p.equals(dir)).sorted().toList();
            }
            try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream archive = new TarArchiveOutputStream(out)) {
                archive.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                archive.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Path path : entries) {
                    String name = dir.relativize(path).toString().replace('\\', '/');
                    TarArchiveEntry entry;
                    if (Files.isSymbolicLink(path)) {
                        entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                        entry.setLinkName(Files.readSymbolicLink(path).toString());
                    } else {
                        // from the name only: an entry made from the path would carry its access and change times
                        boolean isDir = Files.isDirectory(path);
                        entry = new TarArchiveEntry(isDir ? name + "/" : name);
                        entry.setMode((isDir ? 040000 : 0100000) | mode(Files.getPosixFilePermissions(path)));
                        if (!isDir) {
                            entry.setSize(Files.size(path));
                        }
                    }
                    entry.setModTime(0);
                    entry.setUserId(0);
                    entry.setGroupId(0);
                    entry.setUserName("");
                    entry.setGroupName("");
                    archive.putArchiveEntry(entry);
                    if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.copy(path, archive);
                    }
                    archive.closeArchiveEntry();
                }
            }
            return tar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    /** {@code sha256:} and the hex digest of {@code file}'s bytes. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
