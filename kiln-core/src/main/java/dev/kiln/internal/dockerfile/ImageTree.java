package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellError.Errno;
import dev.kiln.internal.layer.LayerEntry;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.store.BaseFiles;
import dev.kiln.internal.store.LayerIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The image's file tree as a Dockerfile builds it: the base (read only when a question needs it), then
 * what COPY and RUN put on top. A RUN's changes are collected as one layer: the paths it touched, as they
 * end up, a whiteout for each path it removed that a lower layer holds, and an opaque marker for a directory
 * it removed and created again. Paths are relative to {@code /} with no trailing slash ({@code ""} is the root).
 *
 * <p>What the build itself wrote is known without the base: a path it wrote, and the directories above such
 * a path (they exist: the path is in them). Everything else, and every owner or mode of those directories,
 * comes from the base.
 */
final class ImageTree {
    private static final int MAX_LINKS = 40;

    private final BaseFiles base;
    private final Path scratch;
    /** Paths the build wrote: an inode, or null for a path it removed. */
    private final TreeMap<String, Inode> known = new TreeMap<>();
    /** Directories whose lower contents are hidden (created where nothing was, or removed and created again). */
    private final Set<String> fresh = new HashSet<>();
    /** Directories above paths the build wrote. */
    private final Set<String> implied = new HashSet<>();
    /** This RUN: what it touched, and whether each touched path existed before it. */
    private final Map<String, Boolean> touched = new HashMap<>();
    private final Set<String> opaque = new HashSet<>();
    private int layer = 1;
    private boolean baseRead;

    ImageTree(BaseFiles base, Path scratch) {
        this.base = base;
        this.scratch = scratch;
    }

    /** Whether any question so far needed the base's files. */
    boolean baseRead() {
        return baseRead;
    }

    BaseFiles base() {
        return base;
    }

    Path scratch() {
        return scratch;
    }

    private NavigableMap<String, LayerIndex.Entry> baseTree() {
        baseRead = true;
        return base.tree();
    }

    /** The inode at {@code path} (no link followed), or null when nothing is there. */
    Inode get(String path) {
        if (known.containsKey(path)) {
            return known.get(path);
        }
        if (hiddenByBuild(path)) {
            return null;
        }
        LayerIndex.Entry e = baseTree().get(path);
        if (e == null) {
            return path.isEmpty() || implied.contains(path) ? new Inode('d', 0755, 0, 0, 0, null, null, -1) : null;
        }
        return new Inode(e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.link(), e.type() == 'f' ? Inode.Content.inBase(path) : null, -1);
    }

    /** The type at {@code path} ({@code 0}: nothing), answered from what the build wrote when it can. */
    char typeOf(String path) {
        if (known.containsKey(path)) {
            Inode inode = known.get(path);
            return inode == null ? 0 : inode.type;
        }
        if (path.isEmpty() || implied.contains(path)) {
            return 'd';
        }
        Inode inode = get(path);
        return inode == null ? 0 : inode.type;
    }

    /** Whether what the build wrote hides {@code path} from the base: a removed, non-directory or fresh path above it. */
    private boolean hiddenByBuild(String path) {
        for (String p = parent(path); p != null; p = parent(p)) {
            if (known.containsKey(p)) {
                Inode inode = known.get(p);
                if (inode == null || !inode.isDirectory()) {
                    return true;
                }
            }
            if (fresh.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code path} (absolute, or relative to {@code cwd}) with the symbolic links along it followed (the last
     * one too when {@code followLast}); fails as the kernel does when a directory on the way is missing.
     */
    String resolve(String cwd, String path, boolean followLast) {
        String full = path.startsWith("/") ? path : "/" + cwd + "/" + path;
        List<String> todo = new ArrayList<>(List.of(full.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            String current = join(done, part);
            boolean last = todo.stream().allMatch(p -> p.isEmpty() || p.equals("."));
            char type = typeOf(current);
            if (type == 'l' && (!last || followLast || full.endsWith("/"))) {
                if (++links > MAX_LINKS) {
                    throw new ShellError(Errno.ELOOP);
                }
                String target = get(current).link;
                List<String> expanded = new ArrayList<>(List.of(target.split("/")));
                expanded.addAll(todo);
                todo = expanded;
                if (target.startsWith("/")) {
                    done.clear();
                }
                continue;
            }
            if (!last && type == 0) {
                throw new ShellError(Errno.ENOENT);
            }
            if (!last && type != 'd') {
                throw new ShellError(Errno.ENOTDIR);
            }
            done.add(part);
        }
        return String.join("/", done);
    }

    private static String join(List<String> done, String part) {
        return done.isEmpty() ? part : String.join("/", done) + "/" + part;
    }

    static String parent(String path) {
        if (path.isEmpty()) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The names in directory {@code dir}, sorted by bytes (as the C locale sorts). */
    List<String> children(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        Set<String> names = new TreeSet<>();
        if (!fresh.contains(dir) && !hiddenByBuild(dir) && !(known.containsKey(dir) && known.get(dir) == null)) {
            NavigableMap<String, LayerIndex.Entry> tree = baseTree();
            for (String path : (prefix.isEmpty() ? tree : tree.subMap(prefix, true, dir + "0", false)).keySet()) {
                String rest = path.substring(prefix.length());
                if (!rest.isEmpty() && rest.indexOf('/') < 0 && !known.containsKey(path)) {
                    names.add(rest);
                }
            }
        }
        for (Map.Entry<String, Inode> e : (prefix.isEmpty() ? known : known.subMap(prefix, true, dir + "0", false)).entrySet()) {
            String rest = e.getKey().substring(prefix.length());
            if (!rest.isEmpty() && rest.indexOf('/') < 0 && e.getValue() != null) {
                names.add(rest);
            }
        }
        for (String path : implied) {
            if (parentIs(path, dir) && !known.containsKey(path)) {
                names.add(name(path));
            }
        }
        return names.stream().sorted(ImageTree::compareBytes).toList();
    }

    private static boolean parentIs(String path, String dir) {
        String p = parent(path);
        return p != null && p.equals(dir) && !path.isEmpty();
    }

    static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The content of the regular file at {@code path} (which the caller looked up). */
    byte[] read(Inode inode) {
        return inode.content == null ? new byte[0] : inode.content.read(base, scratch);
    }

    private void touch(String path) {
        touched.computeIfAbsent(path, p -> typeOf(p) != 0);
    }

    /** Puts {@code inode} at {@code path} in this RUN's layer, replacing what was there. */
    void put(String path, Inode inode) {
        touch(path);
        Inode before = known.containsKey(path) || !hiddenByBuild(path) ? get(path) : null;
        if (inode.isDirectory() && (before == null || !before.isDirectory())) {
            // a new directory hides whatever lower layers held under this path
            fresh.add(path);
            if (touched.get(path)) {
                opaque.add(path);
            }
        }
        if (!inode.isDirectory()) {
            known.subMap(path + "/", true, path + "0", false).clear();
        }
        inode.layer = layer;
        known.put(path, inode);
        for (String p = parent(path); p != null && !p.isEmpty(); p = parent(p)) {
            implied.add(p);
        }
    }

    /** Removes {@code path} and everything under it in this RUN's layer. */
    void remove(String path) {
        touch(path);
        known.subMap(path + "/", true, path + "0", false).clear();
        known.put(path, null);
        fresh.remove(path);
        opaque.remove(path);
    }

    /** The inode at {@code path}, copied up into this RUN's layer first when a lower layer wrote it (chmod, chown, >>). */
    Inode writable(String path) {
        Inode inode = get(path);
        if (inode.layer != layer) {
            inode = inode.copy(layer);
            touch(path);
            known.put(path, inode);
        } else {
            touch(path);
        }
        return inode;
    }

    /** Adds what a COPY or ADD layer holds (no RUN of its own: nothing is collected). */
    void apply(LayerSource source) {
        for (LayerEntry e : source.entries()) {
            int uid = e.uid() != null ? e.uid() : source.uid();
            int gid = e.gid() != null ? e.gid() : source.gid();
            char type = switch (e.type()) {
                case DIRECTORY -> 'd';
                case SYMLINK -> 'l';
                default -> 'f';
            };
            Inode inode = new Inode(type, e.mode(), uid, gid, e.size(), e.linkTarget(), e.file() == null ? null : Inode.Content.onDisk(e.file()), 0);
            if (type != 'd') {
                known.subMap(e.path() + "/", true, e.path() + "0", false).clear();
            }
            known.put(e.path(), inode);
            for (String p = parent(e.path()); p != null && !p.isEmpty(); p = parent(p)) {
                implied.add(p);
            }
        }
    }

    /** This RUN's layer, then the next RUN starts: entries sorted, whiteouts for lower paths it removed. */
    List<LayerEntry> finishLayer(Path contentDir) {
        List<LayerEntry> entries = new ArrayList<>();
        Map<Inode, String> linked = new IdentityHashMap<>();
        List<String> paths = touched.keySet().stream().sorted(ImageTree::compareBytes).toList();
        copyUpContents(paths, contentDir);
        for (String path : paths) {
            if (path.isEmpty() || underWhiteout(path, paths)) {
                continue;
            }
            Inode inode = known.containsKey(path) ? known.get(path) : get(path);
            if (inode == null) {
                if (touched.get(path)) {
                    String parent = parent(path);
                    entries.add(new LayerEntry((parent.isEmpty() ? "" : parent + "/") + ".wh." + name(path), LayerEntry.Type.FILE, 0,
                            0, null, null, 0, 0));
                }
                continue;
            }
            String first = linked.putIfAbsent(inode, path);
            if (first != null) {
                entries.add(new LayerEntry(path, LayerEntry.Type.HARDLINK, inode.mode, 0, first, null, inode.uid, inode.gid));
                continue;
            }
            switch (inode.type) {
                case 'd' -> entries.add(new LayerEntry(path, LayerEntry.Type.DIRECTORY, inode.mode, 0, null, null, inode.uid, inode.gid));
                case 'l' -> entries.add(new LayerEntry(path, LayerEntry.Type.SYMLINK, inode.mode, 0, inode.link, null, inode.uid, inode.gid));
                case 'f' -> {
                    Path file = inode.content == null ? emptyFile(contentDir) : inode.content.materialize(base, contentDir);
                    entries.add(new LayerEntry(path, LayerEntry.Type.FILE, inode.mode, inode.size, null, file, inode.uid, inode.gid));
                }
                default -> throw new ShellError("'/" + path + "' is a device or fifo: Kiln cannot write it into a layer");
            }
            if (opaque.contains(path)) {
                entries.add(new LayerEntry(path + "/.wh..wh..opq", LayerEntry.Type.FILE, 0, 0, null, null, 0, 0));
            }
        }
        touched.clear();
        opaque.clear();
        layer++;
        return entries;
    }

    /**
     * The base's content of the files this layer holds, read in one pass per base layer (a {@code chown -R} of a
     * base directory copies many files up), then used from disk.
     */
    private void copyUpContents(List<String> paths, Path contentDir) {
        Map<String, Path> targets = new java.util.LinkedHashMap<>();
        List<Inode> inodes = new ArrayList<>();
        for (String path : paths) {
            Inode inode = known.get(path);
            if (inode != null && inode.type == 'f' && inode.content != null && inode.content.basePath() != null) {
                String basePath = inode.content.basePath();
                if (!targets.containsKey(basePath)) {
                    targets.put(basePath, contentDir.resolve("base-" + targets.size()));
                }
                inodes.add(inode);
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(contentDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        base.copyAll(targets);
        for (Inode inode : inodes) {
            inode.content = Inode.Content.onDisk(targets.get(inode.content.basePath()));
        }
    }

    /** Whether an ancestor of {@code path} was removed by this RUN and is absent now (its whiteout covers the path). */
    private boolean underWhiteout(String path, List<String> paths) {
        for (String p = parent(path); p != null && !p.isEmpty(); p = parent(p)) {
            if (touched.containsKey(p) && known.containsKey(p) && known.get(p) == null) {
                return true;
            }
        }
        return false;
    }

    private Path emptyFile(Path contentDir) {
        return Inode.Content.of(new byte[0]).materialize(base, contentDir);
    }
}
