package dev.kiln.internal.store;

import dev.kiln.error.StoreException;
import dev.kiln.image.Digest;
import dev.kiln.internal.layer.Decompression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The entries of one layer blob as its tar lists them (path, type, mode, owner, size, link), kept in
 * the store by the layer's digest: a layer is read once for all builds that need its file list.
 * The accounts files ({@code etc/passwd}, {@code etc/group}) are kept whole, since resolving owners
 * by name needs their content on every build. A layer's content never changes, so an index is never stale.
 */
public final class LayerIndex {
    private static final String HEADER = "kiln-layer-index/1";
    /** Kept whole in the index: what resolving a user or group name reads. */
    static final Set<String> KEPT_WHOLE = Set.of("etc/passwd", "etc/group");
    private static final int KEPT_LIMIT = 1 << 20;

    private LayerIndex() {
    }

    /**
     * One tar entry. {@code type}: {@code d} directory, {@code f} file, {@code l} symbolic link, {@code h} hard
     * link to {@code link}, {@code w} whiteout of {@code path}, {@code o} opaque directory {@code path}, {@code x}
     * another kind (device, fifo). {@code path} is relative to {@code /}, without a trailing slash.
     */
    public record Entry(String path, char type, int mode, int uid, int gid, long size, String link, byte[] content) {
    }

    /** The layer's entries: from the store's index, else read from the blob (which must be present) and remembered. */
    static List<Entry> of(StoreLayout layout, BlobStore blobs, Digest layer, Runnable beforeReading) {
        Path file = layout.layerIndex(layer);
        Optional<List<Entry>> stored = load(file);
        if (stored.isPresent()) {
            return stored.get();
        }
        beforeReading.run();
        List<Entry> entries = scan(blobs, layer);
        save(file, entries);
        return entries;
    }

    /** Reads the layer's tar, calling {@code visit} per entry with the stream positioned at its content; stops when it returns false. */
    static void read(BlobStore blobs, Digest layer, TarVisitor visit) {
        try (InputStream raw = blobs.open(layer); TarArchiveInputStream tar = new TarArchiveInputStream(Decompression.open(raw))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                String name = normalize(e.getName());
                if (!name.isEmpty() && !visit.visit(e, name, tar)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read layer " + layer.shortHex() + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #read} calls per entry. */
    interface TarVisitor {
        boolean visit(TarArchiveEntry entry, String name, InputStream content) throws IOException;
    }

    private static List<Entry> scan(BlobStore blobs, Digest layer) {
        List<Entry> entries = new ArrayList<>();
        read(blobs, layer, (e, name, content) -> {
            int slash = name.lastIndexOf('/');
            String dir = slash < 0 ? "" : name.substring(0, slash);
            String base = name.substring(slash + 1);
            int mode = e.getMode() & 07777;
            int uid = (int) e.getLongUserId();
            int gid = (int) e.getLongGroupId();
            if (base.equals(".wh..wh..opq")) {
                entries.add(new Entry(dir, 'o', 0, 0, 0, 0, null, null));
            } else if (base.startsWith(".wh.")) {
                entries.add(new Entry((dir.isEmpty() ? "" : dir + "/") + base.substring(4), 'w', 0, 0, 0, 0, null, null));
            } else if (e.isDirectory()) {
                entries.add(new Entry(name, 'd', mode, uid, gid, 0, null, null));
            } else if (e.isSymbolicLink()) {
                entries.add(new Entry(name, 'l', mode, uid, gid, 0, e.getLinkName(), null));
            } else if (e.isLink()) {
                entries.add(new Entry(name, 'h', mode, uid, gid, 0, normalize(e.getLinkName()), null));
            } else if (e.isFile()) {
                byte[] whole = KEPT_WHOLE.contains(name) && e.getSize() <= KEPT_LIMIT ? content.readAllBytes() : null;
                entries.add(new Entry(name, 'f', mode, uid, gid, e.getSize(), null, whole));
            } else {
                entries.add(new Entry(name, 'x', mode, uid, gid, 0, null, null));
            }
            return true;
        });
        return entries;
    }

    /** A tar name as a path relative to {@code /}: no {@code ./} or {@code /} in front, no trailing slash. */
    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.substring(n.startsWith("/") ? 1 : 2);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals(".") ? "" : n;
    }

    private static Optional<List<Entry>> load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (f.length != 8 || f[0].length() != 1) {
                return Optional.empty(); // damaged: read the layer again
            }
            try {
                entries.add(new Entry(unescape(f[6]), f[0].charAt(0), Integer.parseInt(f[1], 8), Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]), Long.parseLong(f[4]), f[5].equals("-") ? null : unescape(f[5]),
                        f[7].isEmpty() ? null : Base64.getDecoder().decode(f[7])));
            } catch (IllegalArgumentException damaged) {
                return Optional.empty();
            }
        }
        return Optional.of(entries);
    }

    private static void save(Path file, List<Entry> entries) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            text.append(e.type()).append('\t').append(Integer.toOctalString(e.mode())).append('\t').append(e.uid()).append('\t')
                    .append(e.gid()).append('\t').append(e.size()).append('\t').append(e.link() == null ? "-" : escape(e.link()))
                    .append('\t').append(escape(e.path())).append('\t')
                    .append(e.content() == null ? "" : Base64.getEncoder().encodeToString(e.content())).append('\n');
        }
        try {
            StoreFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw BlobStore.storeFailure("remembering a layer's entries", e);
        }
    }

    private static String escape(String text) {
        return text.replace("%", "%25").replace("\t", "%09").replace("\n", "%0A").replace("-", text.equals("-") ? "%2D" : "-");
    }

    private static String unescape(String text) {
        return text.replace("%2D", "-").replace("%0A", "\n").replace("%09", "\t").replace("%25", "%");
    }
}
