package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What a front end module (the CLI, the Maven plugin) may use of Kiln: the public surface and nothing else. */
public final class FrontEnds {
    private static final Pattern KILN_TYPE = Pattern.compile("\\bdev\\.kiln\\.[a-z]+\\.[A-Z][A-Za-z]*");

    private FrontEnds() {
    }

    /** Every {@code dev.kiln.PACKAGE.Type} the sources under {@code sourceRoot} name. */
    public static Set<String> kilnTypesUsed(Path sourceRoot) {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = KILN_TYPE.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return used;
    }

    /** Kiln's public surface for front ends: api, event, error, config, and the {@code PullPolicy} value. */
    public static Predicate<String> publicSurface() {
        return type -> type.startsWith("dev.kiln.api.") || type.startsWith("dev.kiln.event.") || type.startsWith("dev.kiln.error.")
                || type.startsWith("dev.kiln.config.") || type.equals("dev.kiln.image.PullPolicy");
    }
}
