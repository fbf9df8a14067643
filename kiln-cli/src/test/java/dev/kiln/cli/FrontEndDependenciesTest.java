package dev.kiln.cli;

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

/**
 * The CLI is a front end: it may use Kiln's public surface (api, event, error, the PullPolicy value) and nothing else;
 * of kiln-server, only what starts it ({@code kiln serve}).
 */
class FrontEndDependenciesTest {
    private static final Pattern KILN_TYPE = Pattern.compile("\\bdev\\.kiln\\.[a-z]+\\.[A-Z][A-Za-z]*");

    @Test
    void cliUsesOnlyThePublicSurface() throws IOException {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = KILN_TYPE.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertThat(used).isNotEmpty().allMatch(type -> type.startsWith("dev.kiln.api.") || type.startsWith("dev.kiln.event.")
                || type.startsWith("dev.kiln.error.") || type.startsWith("dev.kiln.config.") || type.startsWith("dev.kiln.cli.") || type.equals("dev.kiln.image.PullPolicy")
                || type.equals("dev.kiln.server.KilnServer") || type.equals("dev.kiln.server.ServerSettings"));
    }
}
