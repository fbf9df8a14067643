package dev.kiln.internal.dockerfile;

import dev.kiln.internal.store.BaseFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One file of the image being built: type ({@code d}, {@code f}, {@code l}, or {@code x} for a device the
 * base holds), permission bits, owner, size, link target and where its content is. Paths that are hard
 * links of each other share one inode. {@code layer} is the RUN that wrote it (-1: the base, 0: a COPY);
 * a RUN changes an inode of a lower layer only through a copy ({@link ImageTree#writable}).
 */
final class Inode {
    char type;
    int mode;
    int uid;
    int gid;
    long size;
    String link;
    Content content;
    int layer;

    Inode(char type, int mode, int uid, int gid, long size, String link, Content content, int layer) {
        this.type = type;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.size = size;
        this.link = link;
        this.content = content;
        this.layer = layer;
    }

    Inode copy(int toLayer) {
        return new Inode(type, mode, uid, gid, size, link, content, toLayer);
    }

    boolean isDirectory() {
        return type == 'd';
    }

    /** Where a file's bytes are: a file on disk (context or scratch), bytes in memory, or a path of the base. */
    record Content(Path file, byte[] bytes, String basePath) {
        static Content of(byte[] bytes) {
            return new Content(null, bytes, null);
        }

        static Content onDisk(Path file) {
            return new Content(file, null, null);
        }

        static Content inBase(String path) {
            return new Content(null, null, path);
        }

        byte[] read(BaseFiles base, Path scratch) {
            try {
                if (bytes != null) {
                    return bytes;
                }
                return Files.readAllBytes(materialize(base, scratch));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A file holding the content (copied out of the base into {@code scratch} when it lives there). */
        Path materialize(BaseFiles base, Path scratch) {
            try {
                if (file != null) {
                    return file;
                }
                Files.createDirectories(scratch);
                Path target = Files.createTempFile(scratch, "content-", "");
                if (bytes != null) {
                    Files.write(target, bytes);
                } else {
                    base.copy(basePath, target);
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
