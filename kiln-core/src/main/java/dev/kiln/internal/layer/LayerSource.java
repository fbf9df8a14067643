package dev.kiln.internal.layer;

import dev.kiln.error.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --add SRC:DEST[:uid:gid]}: a file or directory to place in a layer, with Docker
 * {@code COPY} semantics. A directory's <em>contents</em> go under {@code DEST}; a file goes to
 * {@code DEST}, or inside it when {@code DEST} ends with {@code /}. Every entry is owned by
 * {@code uid:gid} (default {@code 0:0}). DEST's parents (and DEST itself for a directory's contents)
 * get no entries, so directories the base already has keep their owner and mode; missing ones are
 * created by the runtime (root, 0755). An empty source directory yields DEST alone, 0755.
 *
 * <p>The source itself is followed when it is a symbolic link (Docker resolves the COPY source);
 * links inside a directory are stored as links. Whether the source exists is checked when it is
 * read ({@link LayerWriter#write}, {@link LayerWriter#fingerprint}), since it may change until then.
 *
 * @param mode    permission bits for every entry (Dockerfile {@code COPY --chmod}); {@code null} keeps each file's
 * @param exclude paths under the source to leave out ({@code .dockerignore}); their contents too
 */
public record LayerSource(Path source, String destination, Integer uid, Integer gid, Integer mode, Predicate<Path> exclude,
                          List<LayerEntry> prepared) {
    private static final Pattern WITH_OWNER = Pattern.compile("(.+):([^:]+):(\\d+):(\\d+)");
    private static final Pattern PLAIN = Pattern.compile("(.+):([^:]+)");

    private static final Predicate<Path> NOTHING = path -> false;

    public LayerSource {
        Objects.requireNonNull(source, "source");
        exclude = exclude == null ? NOTHING : exclude;
        if (mode != null && (mode < 0 || mode > 07777)) {
            throw new InvalidInputException("mode " + Integer.toOctalString(mode) + " for '" + destination + "' is not a permission mode");
        }
        if (destination == null || !destination.startsWith("/")) {
            throw new InvalidInputException("destination '" + destination + "' must be an absolute path");
        }
        if (destination.indexOf('\0') >= 0) {
            throw new InvalidInputException("destination '" + destination.replace('\0', '?') + "' contains a NUL character");
        }
        uid = uid == null ? 0 : uid;
        gid = gid == null ? 0 : gid;
        if (uid < 0 || gid < 0) {
            throw new InvalidInputException("owner " + uid + ":" + gid + " for '" + destination + "' must not be negative");
        }
    }

    /** A source read from the file system under {@code source} (see the type's description). */
    public LayerSource(Path source, String destination, Integer uid, Integer gid, Integer mode, Predicate<Path> exclude) {
        this(source, destination, uid, gid, mode, exclude, null);
    }

    /**
     * A layer whose entries are already decided (what a Dockerfile {@code RUN} changed): written as given,
     * sorted, each with its own owner and mode, content read from each entry's file. {@code scratch} is the
     * directory that holds those files; it names the layer in logs.
     */
    public static LayerSource prepared(Path scratch, List<LayerEntry> entries) {
        return new LayerSource(scratch, "/", 0, 0, null, null, List.copyOf(entries));
    }

    /**
     * One layer of several files, each as {@code new LayerSource(file, directory, uid, gid)} would place it
     * (so {@code directory} ends with {@code /}); written as a {@link #prepared} layer is, named after the
     * first file's directory, its files hashed at every build.
     */
    public static LayerSource files(List<Path> files, String directory, int uid, int gid) {
        List<LayerEntry> entries = new ArrayList<>();
        for (Path file : files) {
            new LayerSource(file, directory, uid, gid).entries().forEach(e -> entries.add(e.ownedBy(uid, gid)));
        }
        return new LayerSource(files.get(0).toAbsolutePath().getParent(), directory, uid, gid, null, null, List.copyOf(entries));
    }

    /** The entries this source gives, sorted as they are written; reads the file system's metadata, not content. */
    public List<LayerEntry> entries() {
        return LayerTree.scan(this);
    }

    /** A source owned by {@code uid:gid} (default {@code 0:0}), files keeping their own modes, nothing excluded. */
    public LayerSource(Path source, String destination, Integer uid, Integer gid) {
        this(source, destination, uid, gid, null, null);
    }

    /** A source owned by root ({@code 0:0}). */
    public LayerSource(Path source, String destination) {
        this(source, destination, 0, 0);
    }

    /**
     * Parses {@code SRC:DEST} or {@code SRC:DEST:UID:GID}. The last colons split, so a source path
     * may contain colons; a destination may not.
     */
    public static LayerSource parse(String spec) {
        Matcher m = WITH_OWNER.matcher(spec);
        if (m.matches()) {
            try {
                return new LayerSource(Path.of(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("invalid owner in '" + spec + "': uid and gid must be at most " + Integer.MAX_VALUE);
            }
        }
        m = PLAIN.matcher(spec);
        if (m.matches()) {
            return new LayerSource(Path.of(m.group(1)), m.group(2), 0, 0);
        }
        throw new InvalidInputException("invalid layer source '" + spec + "': expected SRC:DEST or SRC:DEST:UID:GID");
    }

    /**
     * DEST's path components, normalized: empty and {@code .} components dropped, {@code ..} resolved
     * (never above {@code /}). Empty for {@code /}.
     */
    List<String> destinationComponents() {
        List<String> components = new ArrayList<>();
        for (String part : destination.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!components.isEmpty()) {
                    components.remove(components.size() - 1);
                }
            } else {
                components.add(part);
            }
        }
        return components;
    }

    /** Whether DEST names a directory to copy a file into ({@code /dest/}, {@code /dest/.}, {@code /}). */
    boolean destinationIsDirectory() {
        return destination.endsWith("/") || destination.endsWith("/.") || destination.endsWith("/..")
                || destinationComponents().isEmpty();
    }
}
