package dev.kiln.internal.layer;

import dev.kiln.image.Digest;
import dev.kiln.internal.layer.Layers.Written;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import static dev.kiln.internal.layer.Layers.ENTRY_TIME;
import static org.assertj.core.api.Assertions.assertThat;

class LayerReproducibilityTest {
    @TempDir
    Path temp;

    private static final List<String> FILES = List.of("bin/start.sh", "lib/job.jar", "lib/deps/kafka.jar", "conf/flink-conf.yaml",
            "conf/log4j.properties", "data/" + "x".repeat(120) + ".json", "ünïcødé/名前.txt", "z.txt");

    /** Creates the same tree in {@code root}, visiting the files in the given order. */
    private Path tree(Path root, List<String> order) throws IOException {
        Files.createDirectories(root);
        for (String name : order) {
            byte[] content = name.endsWith(".jar") ? Layers.jarLike(200_000 + name.length(), name.hashCode())
                    : Layers.textLike(50_000 + name.length(), name.hashCode());
            Layers.file(root.resolve(name), content, name.endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--");
        }
        if (!Files.exists(root.resolve("lib/current.jar"))) {
            Files.createSymbolicLink(root.resolve("lib/current.jar"), Path.of("job.jar"));
        }
        return root;
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new java.util.ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void sameTreeGivesTheSameBytesWhateverMtimesAndCreationOrder(Compression compression) throws IOException {
        Path first = tree(temp.resolve("one"), FILES);
        Layers.touchAll(first, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        LayerSource source = new LayerSource(first, "/opt/flink/usrlib", 9999, 9999);
        Written a = Layers.write(source, compression);
        Digest fingerprintA = LayerWriter.fingerprint(source, ENTRY_TIME, compression);

        Layers.touchAll(first, FileTime.from(Instant.now()));
        Written again = Layers.write(source, compression);
        Digest fingerprintAgain = LayerWriter.fingerprint(source, ENTRY_TIME, compression);

        Path second = tree(temp.resolve("elsewhere/two"), reversed(FILES));
        Layers.touchAll(second, FileTime.from(Instant.parse("2031-05-05T05:05:05Z")));
        LayerSource copy = new LayerSource(second, "/opt/flink/usrlib", 9999, 9999);
        Written b = Layers.write(copy, compression);

        assertThat(again.compressed()).isEqualTo(a.compressed());
        assertThat(b.compressed()).isEqualTo(a.compressed());
        assertThat(b.result()).isEqualTo(a.result());
        assertThat(fingerprintAgain).isEqualTo(fingerprintA);
        assertThat(LayerWriter.fingerprint(copy, ENTRY_TIME, compression)).isEqualTo(fingerprintA);
        assertThat(new LayerWriter(ENTRY_TIME, compression).fingerprint(copy, ContentDigests.ALWAYS_HASH)).isEqualTo(fingerprintA);
    }

    /** Some TarArchiveEntry constructors fill in the JVM's user.name: no header may depend on who builds. */
    @Test
    void theUserRunningTheBuildDoesNotMatter() throws IOException {
        LayerSource source = new LayerSource(tree(temp.resolve("t"), FILES), "/opt/" + "long-".repeat(30));
        Written mine = Layers.write(source, Compression.GZIP);
        String user = System.getProperty("user.name");
        Written theirs;
        try {
            System.setProperty("user.name", "somebody-else");
            theirs = Layers.write(source, Compression.GZIP);
        } finally {
            System.setProperty("user.name", user);
        }

        assertThat(theirs.compressed()).isEqualTo(mine.compressed());
    }

    @Test
    void anyChangeToContentModeNameOwnerOrSettingsChangesTheFingerprint() throws IOException {
        Path root = tree(temp.resolve("t"), FILES);
        LayerSource source = new LayerSource(root, "/opt/app");
        Digest base = LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP);

        assertThat(LayerWriter.fingerprint(new LayerSource(root, "/opt/app2"), ENTRY_TIME, Compression.GZIP)).isNotEqualTo(base);
        assertThat(LayerWriter.fingerprint(new LayerSource(root, "/opt/app", 1, 0), ENTRY_TIME, Compression.GZIP)).isNotEqualTo(base);
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME.plusSeconds(1), Compression.GZIP)).isNotEqualTo(base);
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.ZSTD)).isNotEqualTo(base);

        Path conf = root.resolve("conf/flink-conf.yaml");
        byte[] original = Files.readAllBytes(conf);
        byte[] changed = original.clone();
        changed[1000] ^= 1; // same size, one bit
        Files.write(conf, changed);
        Digest contentChanged = LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP);
        Files.write(conf, original);
        assertThat(contentChanged).isNotEqualTo(base);
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).as("restored").isEqualTo(base);

        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxr--r--"));
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).isNotEqualTo(base);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));

        Files.move(conf, root.resolve("conf/flink-conf.yml"));
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).isNotEqualTo(base);
        Files.move(root.resolve("conf/flink-conf.yml"), conf);

        Files.delete(root.resolve("lib/current.jar"));
        Files.createSymbolicLink(root.resolve("lib/current.jar"), Path.of("deps/kafka.jar"));
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).as("link target").isNotEqualTo(base);
        Files.delete(root.resolve("lib/current.jar"));
        Files.createSymbolicLink(root.resolve("lib/current.jar"), Path.of("job.jar"));

        Files.createDirectory(root.resolve("empty"));
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).as("an empty directory").isNotEqualTo(base);
        Files.delete(root.resolve("empty"));
        assertThat(LayerWriter.fingerprint(source, ENTRY_TIME, Compression.GZIP)).as("all restored").isEqualTo(base);
    }

    @Test
    void aContentChangeChangesTheLayer() throws IOException {
        Path root = tree(temp.resolve("t"), FILES);
        LayerSource source = new LayerSource(root, "/opt/app");
        Written before = Layers.write(source, Compression.ZSTD);
        Files.writeString(root.resolve("z.txt"), "different");
        Written after = Layers.write(source, Compression.ZSTD);

        assertThat(after.result().diffId()).isNotEqualTo(before.result().diffId());
    }
}
