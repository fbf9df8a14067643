package dev.kiln.internal.dockerfile;

import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.layer.Decompression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Local tar archives for {@code ADD}: recognised by content (plain, gzip, bzip2, zstd), extracted
 * into a scratch directory that becomes the layer's source. Nothing may land outside it: absolute
 * names, {@code ..} that climbs out, links that point out, and entries written through a link are
 * refused with the entry's name; devices and fifos too.
 */
final class Archives {
    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private Archives() {
    }

    /** Whether {@code file} is a tar archive, compressed or not (Docker's ADD extracts those). */
    static boolean isTar(Path file) {
        try (InputStream in = decompressed(file)) {
            byte[] header = in.readNBytes(512);
            return header.length == 512 && new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException | RuntimeException notAnArchive) {
            return false;
        }
    }

    private static InputStream decompressed(Path file) throws IOException {
        return Decompression.open(Files.newInputStream(file));
    }

    static Path extract(Path archive, Path into, Function<String, InvalidInputException> error) {
        try {
            Files.createDirectories(into);
            Path root = into.toRealPath();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(archive))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    Path target = inside(root, entry.getName(), archive, error);
                    if (target.equals(root)) {
                        continue;
                    }
                    Path parent = target.getParent();
                    Files.createDirectories(parent);
                    if (!parent.toRealPath().startsWith(root)) {
                        throw error.apply("'" + entry.getName() + "' in " + archive.getFileName() + " would be written through a link out of the archive");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, permissions(entry.getMode() | 0700));
                    } else if (entry.isSymbolicLink()) {
                        String link = entry.getLinkName();
                        if (link.startsWith("/") || !target.getParent().resolve(link).normalize().startsWith(root)) {
                            throw error.apply("'" + entry.getName() + "' in " + archive.getFileName() + " links to '" + link
                                    + "', outside the archive");
                        }
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(link));
                    } else if (entry.isLink()) {
                        Path source = inside(root, entry.getLinkName(), archive, error);
                        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                    } else if (entry.isFile()) {
                        Files.deleteIfExists(target);
                        Files.copy(tar, target);
                        Files.setPosixFilePermissions(target, permissions(entry.getMode()));
                    } else {
                        throw error.apply("'" + entry.getName() + "' in " + archive.getFileName()
                                + " is a device or fifo: a layer holds files, directories and links only");
                    }
                }
            }
            return root;
        } catch (IOException e) {
            throw error.apply("cannot extract " + archive.getFileName() + ": " + e.getMessage());
        }
    }

    private static Path inside(Path root, String name, Path archive, Function<String, InvalidInputException> error) {
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            throw error.apply("'" + name + "' in " + archive.getFileName() + " is an absolute path");
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root)) {
            throw error.apply("'" + name + "' in " + archive.getFileName() + " climbs out of the archive");
        }
        return target;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(BITS[bit]);
            }
        }
        return set;
    }
}
