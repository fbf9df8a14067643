package dev.kiln.internal.dockerfile;

import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code .dockerignore}: patterns over paths relative to the build context, Go {@code filepath.Match}
 * syntax plus {@code **}, a leading {@code !} re-including what an earlier pattern excluded; the last
 * matching pattern decides. A pattern that matches a directory excludes everything below it.
 */
final class DockerIgnore {
    private record Rule(PathMatcher matcher, boolean exclude) {
    }

    private final Path context;
    private final List<Rule> rules;

    private DockerIgnore(Path context, List<Rule> rules) {
        this.context = context;
        this.rules = rules;
    }

    static DockerIgnore read(Path context) {
        List<String> lines;
        try {
            lines = Files.readAllLines(context.resolve(".dockerignore"));
        } catch (NoSuchFileException e) {
            return new DockerIgnore(context, List.of());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + context.resolve(".dockerignore") + ": " + e.getMessage());
        }
        List<Rule> rules = new ArrayList<>();
        for (String line : lines) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exclude = !pattern.startsWith("!");
            pattern = clean(exclude ? pattern : pattern.substring(1).strip());
            if (pattern.isEmpty()) {
                continue;
            }
            rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("[!", "[^").replace("{", "\\{")), exclude));
        }
        return new DockerIgnore(context, rules);
    }

    /** Leading {@code /} and {@code ./} dropped, as Docker cleans patterns. */
    private static String clean(String pattern) {
        String p = pattern;
        while (p.startsWith("/") || p.startsWith("./")) {
            p = p.startsWith("/") ? p.substring(1) : p.substring(2);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /**
     * Whether {@code path} (inside the context) is excluded: the last pattern that matches it or one
     * of its parent directories decides. When some pattern re-includes ({@code !}), directories are
     * entered whatever the patterns say, so that what is re-included inside them is found.
     */
    boolean excludes(Path path) {
        if (rules.isEmpty()) {
            return false;
        }
        Path relative = context.relativize(path.toAbsolutePath().normalize());
        if (relative.toString().isEmpty()) {
            return false;
        }
        if (rules.stream().anyMatch(r -> !r.exclude()) && Files.isDirectory(path)) {
            return false;
        }
        boolean excluded = false;
        for (Rule rule : rules) {
            for (int depth = 1; depth <= relative.getNameCount(); depth++) {
                if (rule.matcher().matches(relative.subpath(0, depth))) {
                    excluded = rule.exclude();
                    break;
                }
            }
        }
        return excluded;
    }
}
