package dev.kiln.server;

import dev.kiln.testing.TestJars;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

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
        return TestJars.withMainClass(file, "com.example.Job", content);
    }
}
