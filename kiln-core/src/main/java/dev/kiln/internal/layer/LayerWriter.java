package dev.kiln.internal.layer;

import dev.kiln.error.StoreException;
import dev.kiln.image.Digest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Writes reproducible layers: tar → compressor → the caller's stream, in one pass, hashing the tar
 * on the way, with 64 KiB buffers (memory does not depend on the layer's size). Immutable and
 * thread-safe; each {@link #write} has its own buffers.
 *
 * <p>What makes two writes of the same files byte-identical: entries sorted by the UTF-8 bytes of
 * their paths; every mtime = {@code entryTime} (whole seconds; no atime/ctime); owner {@code uid:gid}
 * with empty user and group names; permission bits only from the files (setuid, setgid and sticky
 * are not visible through PosixFilePermissions and are dropped); no header field that depends on the
 * machine or the user. Hard links are not detected: each path is stored whole.
 */
public final class LayerWriter {
    /** Bumped whenever the bytes written for the same inputs change; part of every fingerprint. */
    static final String FORMAT_VERSION = "kiln-layer/1 (tar: sorted, pax; gzip: 6, stored for compressed content; zstd: 3)";

    private final Instant entryTime;
    private final Compression compression;

    /**
     * @param entryTime   the mtime of every entry; truncated to whole seconds (what a ustar header
     *                    holds), so that it never needs an extended header
     * @param compression how the tar is compressed
     */
    public LayerWriter(Instant entryTime, Compression compression) {
        this.entryTime = Objects.requireNonNull(entryTime, "entryTime").truncatedTo(ChronoUnit.SECONDS);
        this.compression = Objects.requireNonNull(compression, "compression");
    }

    public Instant entryTime() {
        return entryTime;
    }

    public Compression compression() {
        return compression;
    }

    /**
     * Writes the layer for {@code source} to {@code compressedOut} (which stays open; its owner
     * hashes and counts the compressed bytes). Nothing is written when the source is invalid;
     * after any other failure, what was written is garbage and must be discarded.
     *
     * @throws dev.kiln.error.InvalidInputException the source is missing or holds a device, fifo or socket
     * @throws StoreException                       a file could not be read (or changed while read),
     *                                              or the output could not be written
     */
    public LayerResult write(LayerSource source, OutputStream compressedOut) {
        List<LayerEntry> entries = LayerTree.scan(source);
        Compressor compressor = null;
        try {
            compressor = compression.open(compressedOut);
            TarSink sink = new TarSink(compressor);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(sink, StandardCharsets.UTF_8.name());
            // PAX extended headers (POSIX.1-2001) for long or non-ASCII names and link targets and for
            // numbers too big for ustar; their own header fields are fixed by commons-compress
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            byte[] buffer = new byte[TarSink.BUFFER_SIZE];
            for (LayerEntry entry : entries) {
                if (entry.type() == LayerEntry.Type.FILE && entry.file() != null) {
                    writeFile(tar, sink, entry, source, buffer);
                } else {
                    putEntry(tar, entry, source);
                    tar.closeArchiveEntry();
                }
            }
            tar.close(); // end-of-archive records, then sink.close(): the compressor's trailer
            sink.close();
            return sink.result();
        } catch (IOException e) {
            throw new StoreException("cannot write the layer for '" + source.source() + "': " + e.getMessage(), e);
        } finally {
            if (compressor != null) {
                compressor.release();
            }
        }
    }

    private void writeFile(TarArchiveOutputStream tar, TarSink sink, LayerEntry entry, LayerSource source, byte[] buffer)
            throws IOException {
        Path file = entry.file();
        try (InputStream in = open(file)) {
            int first = (int) Math.min(buffer.length, entry.size());
            int read = readFully(in, buffer, first, file);
            if (read < first) {
                throw changed(file);
            }
            putEntry(tar, entry, source);
            sink.contentFollows(looksCompressed(buffer, read));
            tar.write(buffer, 0, read);
            long remaining = entry.size() - read;
            while (remaining > 0) {
                int n = read(in, buffer, (int) Math.min(buffer.length, remaining), file);
                if (n < 0) {
                    throw changed(file);
                }
                tar.write(buffer, 0, n);
                remaining -= n;
            }
            if (read(in, buffer, 1, file) > 0) {
                throw changed(file);
            }
            tar.closeArchiveEntry();
        }
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new StoreException("cannot read '" + file + "': " + e.getMessage(), e);
        }
    }

    private static int read(InputStream in, byte[] buffer, int length, Path file) {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            throw new StoreException("cannot read '" + file + "': " + e.getMessage(), e);
        }
    }

    private static int readFully(InputStream in, byte[] buffer, int length, Path file) {
        try {
            return in.readNBytes(buffer, 0, length);
        } catch (IOException e) {
            throw new StoreException("cannot read '" + file + "': " + e.getMessage(), e);
        }
    }

    private static StoreException changed(Path file) {
        return new StoreException("'" + file + "' changed size while it was added to the layer");
    }

    /** The entry's header; commons-compress precedes it with a PAX header when a name or number does not fit ustar. */
    private void putEntry(TarArchiveOutputStream tar, LayerEntry entry, LayerSource source) throws IOException {
        byte type = switch (entry.type()) {
            case DIRECTORY -> TarConstants.LF_DIR;
            case FILE -> TarConstants.LF_NORMAL;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            case HARDLINK -> TarConstants.LF_LINK;
        };
        TarArchiveEntry header = new TarArchiveEntry(entry.type() == LayerEntry.Type.DIRECTORY ? entry.path() + "/" : entry.path(), type);
        header.setMode(entry.mode() & 07777);
        header.setIds(entry.uid(source), entry.gid(source));
        header.setNames("", "");
        header.setLastModifiedTime(FileTime.from(entryTime));
        if (entry.type() == LayerEntry.Type.FILE && entry.file() != null) {
            header.setSize(entry.size());
        }
        if (entry.linkTarget() != null) {
            header.setLinkName(entry.linkTarget());
        }
        tar.putArchiveEntry(header);
    }

    /**
     * Whether content starts like an already-compressed format: zip/jar, gzip, zstd, xz, bzip2,
     * png or jpeg. Only decides the gzip level, so a wrong guess costs size or time, never content.
     */
    static boolean looksCompressed(byte[] head, int length) {
        return startsWith(head, length, 0x50, 0x4b, 0x03, 0x04)          // zip, jar
                || startsWith(head, length, 0x1f, 0x8b)                       // gzip
                || startsWith(head, length, 0x28, 0xb5, 0x2f, 0xfd)           // zstd
                || startsWith(head, length, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) // xz
                || (startsWith(head, length, 0x42, 0x5a, 0x68) && length > 3 && head[3] >= '1' && head[3] <= '9') // bzip2
                || startsWith(head, length, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) // png
                || startsWith(head, length, 0xff, 0xd8, 0xff);                // jpeg
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #fingerprint(LayerSource, Instant, Compression)} with this writer's time and compression. */
    public Digest fingerprint(LayerSource source, ContentDigests digests) {
        return fingerprint(source, entryTime, compression, digests);
    }

    /** {@link #fingerprint(LayerSource, Instant, Compression, ContentDigests)}, hashing every file. */
    public static Digest fingerprint(LayerSource source, Instant entryTime, Compression compression) {
        return fingerprint(source, entryTime, compression, ContentDigests.ALWAYS_HASH);
    }

    /**
     * A content fingerprint of everything that determines the layer's bytes, for a cache of built
     * application layers: the format version, compression, entry time (whole seconds), DEST and
     * owner, then per entry in layer order its path, type, mode, owner, link target, size and the
     * sha256 of its content. Files' own mtimes, the listing order and the source's location do not
     * count. Reads every file once (hashing, no compression) unless {@code digests} knows it.
     */
    public static Digest fingerprint(LayerSource source, Instant entryTime, Compression compression, ContentDigests digests) {
        List<LayerEntry> entries = LayerTree.scan(source);
        MessageDigest fp = Digest.newSha256();
        field(fp, FORMAT_VERSION);
        field(fp, compression.name());
        field(fp, Long.toString(entryTime.truncatedTo(ChronoUnit.SECONDS).getEpochSecond()));
        field(fp, source.destination());
        field(fp, source.uid() + ":" + source.gid());
        field(fp, Integer.toString(entries.size()));
        byte[] buffer = new byte[TarSink.BUFFER_SIZE];
        for (LayerEntry e : entries) {
            field(fp, e.path());
            field(fp, e.type().name());
            field(fp, Integer.toOctalString(e.mode()));
            field(fp, e.uid(source) + ":" + e.gid(source));
            field(fp, e.linkTarget() == null ? "" : e.linkTarget());
            field(fp, Long.toString(e.size()));
            field(fp, e.type() != LayerEntry.Type.FILE || e.file() == null ? "" : digests.sha256(e.file(), () -> contentSha256(e, buffer)));
        }
        return Digest.fromSha256(fp.digest());
    }

    private static String contentSha256(LayerEntry entry, byte[] buffer) {
        MessageDigest sha256 = Digest.newSha256();
        long total = 0;
        try (InputStream in = open(entry.file())) {
            int n;
            while ((n = read(in, buffer, buffer.length, entry.file())) > 0) {
                sha256.update(buffer, 0, n);
                total += n;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read '" + entry.file() + "': " + e.getMessage(), e);
        }
        if (total != entry.size()) {
            throw changed(entry.file());
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Length-prefixed, so that no two different field sequences hash the same bytes. */
    private static void field(MessageDigest fp, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        fp.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        fp.update(bytes);
    }
}
