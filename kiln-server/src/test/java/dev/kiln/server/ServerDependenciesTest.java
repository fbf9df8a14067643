package dev.kiln.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The service is a front end of kiln-core: it uses only its public packages, never {@code dev.kiln.internal}. */
class ServerDependenciesTest {
    private static final Pattern KILN_PACKAGE = Pattern.compile("\\bdev\\.kiln\\.[a-z.]+(?=\\.[A-Z])");
    private static final Set<String> PUBLIC = Set.of("dev.kiln.api", "dev.kiln.api.spi", "dev.kiln.config", "dev.kiln.event",
            "dev.kiln.error", "dev.kiln.image");

    @Test
    void serverUsesOnlyKilnCoresPublicPackages() throws IOException {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = KILN_PACKAGE.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertThat(used).isNotEmpty().allMatch(p -> PUBLIC.contains(p) || p.startsWith("dev.kiln.server"));
    }
}
