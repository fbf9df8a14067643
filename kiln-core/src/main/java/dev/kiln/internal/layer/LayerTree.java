package dev.kiln.internal.layer;

import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Turns a {@link LayerSource} into the sorted list of layer entries (metadata only; contents are
 * read later, streamed). Sorting by the UTF-8 bytes of the path makes the order independent of
 * the directory listing order and puts every directory before its contents.
 */
final class LayerTree {
    /** The mode of DEST when it is created for an empty source directory. */
    static final int CREATED_DIRECTORY_MODE = 0755;
    static final Comparator<LayerEntry> BY_PATH_BYTES = (a, b) -> Arrays.compareUnsigned(
            a.path().getBytes(StandardCharsets.UTF_8), b.path().getBytes(StandardCharsets.UTF_8));

    private LayerTree() {
    }

    static List<LayerEntry> scan(LayerSource source) {
        if (source.prepared() != null) {
            List<LayerEntry> entries = new ArrayList<>(source.prepared());
            entries.sort(BY_PATH_BYTES);
            return entries;
        }
        Path root = source.source();
        PosixFileAttributes rootAttributes;
        try {
            // the source itself is followed, as Docker resolves a COPY source
            rootAttributes = Files.readAttributes(root, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("source '" + root + "' does not exist", e);
        } catch (IOException e) {
            throw new StoreException("cannot read source '" + root + "': " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw new StoreException("cannot read POSIX file modes of '" + root + "' on this file system", e);
        }
        List<String> dest = source.destinationComponents();
        List<LayerEntry> entries = new ArrayList<>();
        // No entries for DEST's parents (nor DEST itself for a directory's contents): the layer does not
        // know the base, and an entry would replace the owner and mode of a directory the base has
        // (a flink-owned /opt/flink); directories missing below are created by the runtime (0755, root).
        if (rootAttributes.isDirectory()) {
            walk(source, root, String.join("/", dest), entries);
            if (entries.isEmpty() && !dest.isEmpty()) {
                entries.add(LayerEntry.directory(String.join("/", dest), CREATED_DIRECTORY_MODE));
            }
        } else if (rootAttributes.isRegularFile()) {
            List<String> target = new ArrayList<>(dest);
            if (source.destinationIsDirectory()) {
                Path name = root.toAbsolutePath().normalize().getFileName();
                if (name == null) {
                    throw new InvalidInputException("source '" + root + "' has no file name to copy into '" + source.destination() + "'");
                }
                target.add(name.toString());
            }
            entries.add(LayerEntry.file(String.join("/", target), mode(source, rootAttributes.permissions()), rootAttributes.size(), root));
        } else {
            throw unsupported(root);
        }
        entries.sort(BY_PATH_BYTES);
        return entries;
    }

    private static void walk(LayerSource source, Path directory, String prefix, List<LayerEntry> entries) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(children::add);
        } catch (IOException e) {
            throw new StoreException("cannot list '" + directory + "': " + e.getMessage(), e);
        }
        for (Path child : children) {
            if (source.exclude().test(child)) {
                continue;
            }
            String path = prefix.isEmpty() ? child.getFileName().toString() : prefix + "/" + child.getFileName();
            PosixFileAttributes attributes;
            try {
                attributes = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new StoreException("cannot read '" + child + "': " + e.getMessage(), e);
            }
            if (attributes.isSymbolicLink()) {
                String target;
                try {
                    target = Files.readSymbolicLink(child).toString();
                } catch (IOException e) {
                    throw new StoreException("cannot read the link '" + child + "': " + e.getMessage(), e);
                }
                entries.add(LayerEntry.symlink(path, target));
            } else if (attributes.isDirectory()) {
                entries.add(LayerEntry.directory(path, mode(source, attributes.permissions())));
                walk(source, child, path, entries);
            } else if (attributes.isRegularFile()) {
                entries.add(LayerEntry.file(path, mode(source, attributes.permissions()), attributes.size(), child));
            } else {
                throw unsupported(child);
            }
        }
    }

    private static InvalidInputException unsupported(Path path) {
        return new InvalidInputException("'" + path + "' is a device, fifo or socket: a layer can hold only regular files, "
                + "directories and symbolic links");
    }

    /** The source's mode override, else the file's own permission bits. */
    private static int mode(LayerSource source, Set<PosixFilePermission> permissions) {
        return source.mode() != null ? source.mode() : mode(permissions);
    }

    /** The permission bits (setuid, setgid and sticky are not visible through PosixFilePermissions). */
    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }
}
