package dev.kiln.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the package graph of kiln-core layered: a package may use only packages below it in
 * {@link #LAYERS}, which also rules out cycles. Read from the sources' imports and qualified names.
 */
class PackageDependenciesTest {
    /** Bottom first. */
    static final List<String> LAYERS = List.of("error", "internal.text", "internal.json", "image", "event", "api.spi", "internal.credentials", "internal.layer",
            "internal.archive", "internal.registry", "internal.store", "internal.daemon", "internal.resolve", "internal.build",
            "internal.dockerfile", "internal.flink", "api", "config");
    private static final Pattern KILN_PACKAGE = Pattern.compile("\\bdev\\.kiln\\.(internal\\.[a-z]+|api\\.spi|(?!internal\\b)[a-z]+)\\.(?=[A-Z])");

    static Map<String, Set<String>> dependencies(Path sourceRoot) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sourceRoot.resolve("dev/kiln"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = sourceRoot.resolve("dev/kiln").relativize(file.getParent()).toString().replace('/', '.');
                Set<String> uses = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = KILN_PACKAGE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        uses.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    @Test
    void everyPackageUsesOnlyPackagesBelowIt() throws IOException {
        Map<String, Set<String>> graph = dependencies(Path.of("src/main/java"));
        assertThat(graph.keySet()).as("every package has a place in the layers").isSubsetOf(LAYERS);
        graph.forEach((pkg, uses) -> {
            List<String> below = LAYERS.subList(0, LAYERS.indexOf(pkg));
            assertThat(uses).as("dev.kiln.%s may only use %s", pkg, below).isSubsetOf(below);
        });
    }
}
