package dev.kiln.internal.store;

import dev.kiln.image.Digest;
import dev.kiln.internal.layer.Compression;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.layer.LayerWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class FileDigestCacheTest {
    private static final Instant ENTRY_TIME = Instant.parse("2024-01-01T00:00:00Z");
    /** A clock an hour ahead: every file the test writes counts as settled. */
    private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));

    @TempDir
    Path dir;

    private final List<Path> hashed = new ArrayList<>();

    private Path cacheFile() {
        return dir.resolve("store/files/" + FileDigestCache.nameFor(dir.resolve("src")));
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve("src").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private String digestOf(Clock clock, Path file) {
        try (FileDigestCache cache = new FileDigestCache(cacheFile(), clock)) {
            return cache.sha256(file, hashing(file));
        }
    }

    private Supplier<String> hashing(Path file) {
        return () -> {
            hashed.add(file);
            try {
                return Digest.sha256(Files.readAllBytes(file)).hex();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void anUnchangedFileIsHashedOnceAcrossRuns() throws IOException {
        Path jar = write("job.jar", "version 1");

        String first = digestOf(LATER, jar);
        String second = digestOf(LATER, jar);

        assertThat(first).isEqualTo(Digest.sha256("version 1".getBytes(StandardCharsets.UTF_8)).hex());
        assertThat(second).isEqualTo(first);
        assertThat(hashed).containsExactly(jar);
    }

    @Test
    void sameSizeRewriteWithRestoredMtimeIsNoticedThroughCtime() throws Exception {
        Path jar = write("job.jar", "version 1");
        FileTime mtime = Files.getLastModifiedTime(jar);
        digestOf(LATER, jar);
        Thread.sleep(20);

        Files.writeString(jar, "version 2");
        Files.setLastModifiedTime(jar, mtime);

        assertThat(digestOf(LATER, jar)).isEqualTo(Digest.sha256("version 2".getBytes(StandardCharsets.UTF_8)).hex());
        assertThat(hashed).containsExactly(jar, jar);
    }

    @Test
    void aFileChangedJustNowIsHashedEveryTime() throws IOException {
        Path jar = write("job.jar", "fresh from the compiler");

        digestOf(Clock.systemUTC(), jar);
        digestOf(Clock.systemUTC(), jar);

        assertThat(hashed).containsExactly(jar, jar);
        assertThat(cacheFile()).doesNotExist();
    }

    @Test
    void aCorruptListIsIgnoredAndReplaced() throws IOException {
        Path jar = write("job.jar", "version 1");
        Files.createDirectories(cacheFile().getParent());
        Files.writeString(cacheFile(), "garbage without the expected fields\n");

        digestOf(LATER, jar);
        digestOf(LATER, jar);

        assertThat(hashed).containsExactly(jar);
        assertThat(Files.readString(cacheFile())).contains(jar.toAbsolutePath().toString());
    }

    @Test
    void filesNoLongerSeenAreForgotten() throws IOException {
        Path kept = write("kept.jar", "kept");
        Path removed = write("removed.jar", "removed");
        try (FileDigestCache cache = new FileDigestCache(cacheFile(), LATER)) {
            cache.sha256(kept, hashing(kept));
            cache.sha256(removed, hashing(removed));
        }

        digestOf(LATER, kept);

        assertThat(Files.readString(cacheFile())).contains("kept.jar").doesNotContain("removed.jar");
    }

    @Test
    void aFingerprintFromRememberedDigestsEqualsOneFromHashing() throws IOException {
        write("lib/a.jar", "a".repeat(100_000));
        write("job.jar", "job");
        LayerSource source = new LayerSource(dir.resolve("src"), "/opt/flink/usrlib/");
        Digest hashedEveryFile = LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP);

        for (int run = 0; run < 2; run++) {
            try (FileDigestCache cache = new FileDigestCache(cacheFile(), Clock.fixed(Instant.now().plusSeconds(60), ZoneOffset.UTC))) {
                assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP, cache)).isEqualTo(hashedEveryFile);
            }
        }
        assertThat(Files.readAllLines(cacheFile())).hasSize(2);
    }
}
