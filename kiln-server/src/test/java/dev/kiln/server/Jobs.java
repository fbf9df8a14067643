package dev.kiln.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Job jars for the service's tests. */
final class Jobs {
    static final String WORD_COUNT = "org.apache.flink.streaming.examples.wordcount.WordCount";

    private Jobs() {
    }

    /** The real job jar: flink-examples-streaming 1.18.1, as Maven resolved it for the tests. */
    static Path examplesJar() {
        String url = Jobs.class.getClassLoader().getResource(WORD_COUNT.replace('.', '/') + ".class").toString();
        try {
            return Path.of(new URI(url.substring("jar:".length(), url.indexOf("!/"))));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small job jar with {@code content}, so that each is a new one. */
    static Path jar(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "com.example.Job");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("content.txt"));
            jar.write(content.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }
}
