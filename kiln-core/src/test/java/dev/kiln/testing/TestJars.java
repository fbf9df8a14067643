package dev.kiln.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Small jars for tests, byte for byte the same whenever they are written: every entry has one fixed time, so a jar
 * written again with the same content gives the same layer and image digest (a {@code JarOutputStream}'s own entries
 * carry the current time, to two seconds).
 */
public final class TestJars {
    private static final long ENTRY_TIME = 1_700_000_000_000L;

    private TestJars() {
    }

    /** A jar at {@code jar} whose manifest names {@code mainClass} (none if null) and holds {@code content.txt}. */
    public static Path withMainClass(Path jar, String mainClass, String content) throws IOException {
        return write(jar, mainClass == null ? null : Attributes.Name.MAIN_CLASS, mainClass, "content.txt", content);
    }

    /** A jar whose manifest sets {@code attribute} to {@code value} (none if null) and holds one entry. */
    public static Path write(Path jar, Attributes.Name attribute, String value, String entryName, String content) throws IOException {
        Path parent = jar.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (attribute != null) {
            manifest.getMainAttributes().put(attribute, value);
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(entry(JarFile.MANIFEST_NAME));
            manifest.write(out);
            out.putNextEntry(entry(entryName));
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    private static JarEntry entry(String name) {
        JarEntry entry = new JarEntry(name);
        entry.setTime(ENTRY_TIME);
        return entry;
    }
}
