package dev.kiln.internal.dockerfile;

import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.layer.LayerEntry;
import dev.kiln.internal.layer.LayerSource;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code COPY} and {@code ADD} from the build context: sources (paths or wildcards, {@code .dockerignore}
 * applied), the destination (relative to WORKDIR), {@code --chmod}, and {@code --chown} by number or, through
 * the image's {@code /etc/passwd} and {@code /etc/group}, by name; local tar archives ADD extracts.
 */
final class CopyStep {
    static final String URL = "(?i)(https?|git|ftp)://.*|git@.*";
    static final String ADD_URL = "ADD of a URL downloads at build time, which Kiln does not do: download it first and ADD the file";
    private static final Pattern CHOWN = Pattern.compile("(\\d+)(?::(\\d+))?");
    private static final Pattern CHMOD = Pattern.compile("[0-7]{3,4}");

    private final Path context;
    private final DockerIgnore ignore;
    private final ImageTree tree;

    CopyStep(Path context, DockerIgnore ignore, ImageTree tree) {
        this.context = context;
        this.ignore = ignore;
        this.tree = tree;
    }

    /** The layers of one COPY or ADD; {@code scratch} receives the archives ADD extracts. */
    List<LayerSource> layers(Instruction instruction, Map<String, String> scope, String workdir, Path scratch,
                             Function<String, InvalidInputException> error) {
        boolean byName = false;
        Integer uid = null;
        Integer gid = null;
        Integer mode = null;
        for (Map.Entry<String, String> flag : instruction.flags().entrySet()) {
            String value = Variables.substitute(flag.getValue(), scope, error);
            if (flag.getKey().equals("chown")) {
                Matcher m = CHOWN.matcher(value);
                if (m.matches()) {
                    uid = Integer.valueOf(m.group(1));
                    gid = Integer.valueOf(m.group(2) != null ? m.group(2) : m.group(1));
                } else {
                    byName = true;
                    int[] owner = Accounts.read(tree).chownFlag(value, (what, consulted) ->
                            error.apply("--chown=" + value + ": no " + what + " in the image's " + consulted));
                    uid = owner[0];
                    gid = owner[1];
                }
            } else if (flag.getKey().equals("chmod")) {
                if (!CHMOD.matcher(value).matches()) {
                    throw error.apply("--chmod=" + value + ": expected an octal mode such as 0644 or 755");
                }
                mode = Integer.parseInt(value, 8);
            }
        }
        List<String> words = instruction.json() != null ? instruction.json() : Words.split(instruction.arguments(), error);
        if (words.size() < 2) {
            throw error.apply(instruction.keyword() + " needs at least one source and a destination");
        }
        List<String> expanded = words.stream().map(w -> Variables.substitute(w, scope, error)).toList();
        String dest = expanded.get(expanded.size() - 1);
        if (!dest.startsWith("/")) {
            dest = (workdir == null ? "/" : workdir + "/") + dest;
        }
        List<Path> sources = new ArrayList<>();
        boolean pattern = false;
        for (String source : expanded.subList(0, expanded.size() - 1)) {
            if (instruction.keyword().equals("ADD") && source.matches(URL)) {
                throw error.apply(ADD_URL);
            }
            pattern |= source.matches(".*[*?\\[].*");
            sources.addAll(resolve(source, ignore, error));
        }
        boolean toDirectory = dest.endsWith("/");
        if ((sources.size() > 1 || pattern) && !toDirectory) {
            throw error.apply("with more than one source (or a wildcard) the destination must be a directory ending in /");
        }
        List<LayerSource> layers = new ArrayList<>();
        int n = 0;
        for (Path source : sources) {
            if (instruction.keyword().equals("ADD") && Files.isRegularFile(source) && Archives.isTar(source)) {
                // what the archive holds is not the context: .dockerignore does not filter it (as in Docker)
                Path content = Archives.extract(source, scratch.resolve(Integer.toString(n++)), error);
                layers.add(new LayerSource(content, dest.endsWith("/") ? dest : dest + "/", uid, gid, mode, null));
            } else {
                layers.add(owningNewDestination(new LayerSource(source, dest, uid, gid, mode, ignore::excludes), byName));
            }
        }
        return layers;
    }

    /** The context files a COPY source names: a path inside the context, or a wildcard pattern over it. */
    private List<Path> resolve(String source, DockerIgnore ignore, Function<String, InvalidInputException> error) {
        String relative = source;
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        Path path = context.resolve(relative).normalize();
        if (!path.startsWith(context)) {
            throw error.apply("'" + source + "' is outside the build context");
        }
        if (!source.matches(".*[*?\\[].*")) {
            if (!Files.exists(path) || ignore.excludes(path)) {
                throw error.apply("'" + source + "' is not in the build context" + (Files.exists(path) ? " (excluded by .dockerignore)" : ""));
            }
            return List.of(path);
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + relative);
        try (Stream<Path> files = Files.walk(context)) {
            List<Path> matches = files.filter(p -> !p.equals(context) && matcher.matches(context.relativize(p)) && !ignore.excludes(p))
                    .sorted().toList();
            if (matches.isEmpty()) {
                throw error.apply("no file in the build context matches '" + source + "'");
            }
            return matches;
        } catch (IOException e) {
            throw error.apply("cannot list the build context: " + e.getMessage());
        }
    }


    /**
     * A directory's contents copied with an owner given by name (the image's files are read already): when DEST
     * does not exist, the directory COPY makes for it is the owner's too, as BuildKit and Buildah make it.
     */
    private LayerSource owningNewDestination(LayerSource layer, boolean byName) {
        if (!byName || !Files.isDirectory(layer.source())) {
            return layer;
        }
        String dest = String.join("/", Path.of(layer.destination()).normalize().toString().substring(1).split("/"));
        try {
            if (dest.isEmpty() || tree.typeOf(tree.resolve("", dest, true)) != 0) {
                return layer;
            }
        } catch (ShellError e) {
            return layer;
        }
        List<LayerEntry> entries = new ArrayList<>();
        entries.add(new LayerEntry(dest, LayerEntry.Type.DIRECTORY, 0755, 0, null, null, layer.uid(), layer.gid()));
        for (LayerEntry e : layer.entries()) {
            entries.add(e.path().equals(dest) ? entries.remove(0).ownedBy(layer.uid(), layer.gid()) : e.ownedBy(layer.uid(), layer.gid()));
        }
        return LayerSource.prepared(layer.source(), entries);
    }
}
