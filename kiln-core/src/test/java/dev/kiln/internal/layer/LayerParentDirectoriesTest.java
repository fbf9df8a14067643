package dev.kiln.internal.layer;

import dev.kiln.internal.layer.Layers.Entry;
import dev.kiln.internal.layer.Layers.Written;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.kiln.internal.layer.Layers.ENTRY_TIME;
import static dev.kiln.internal.layer.Layers.entry;
import static dev.kiln.internal.layer.Layers.names;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A layer does not know the base image, so it holds no entries for DEST's parents nor for DEST when
 * a directory's contents are copied: such an entry would replace the owner and mode of a directory
 * the base has (a flink-owned {@code /opt/flink}). The runtime creates missing parents when it
 * applies the layer. Only an empty source directory yields an entry for DEST (0755), so that DEST exists.
 */
class LayerParentDirectoriesTest {
    private static final byte[] JAR = Layers.jarLike(50_000, 5);
    private static final String CONF = "taskmanager.numberOfTaskSlots: 2\n";

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aFileWithACustomOwnerGetsNoParentDirectoryEntries(Compression compression) throws IOException {
        Path jar = Layers.file(temp.resolve("build/job-1.0.jar"), JAR, "rw-r--r--");
        Written layer = Layers.write(new LayerSource(jar, "/opt/flink/usrlib/job.jar", 9999, 9998), compression);
        byte[] tar = Layers.decompress(layer.compressed(), compression);
        List<Entry> entries = Layers.entries(tar);

        assertThat(names(entries)).containsExactly("opt/flink/usrlib/job.jar");
        Entry job = entries.get(0);
        assertThat(job.type()).isEqualTo('-');
        assertThat(job.mode()).isEqualTo(0644);
        assertThat(job.uid()).isEqualTo(9999);
        assertThat(job.gid()).isEqualTo(9998);
        assertThat(job.userName()).isEmpty();
        assertThat(job.groupName()).isEmpty();
        assertThat(job.mtime()).isEqualTo(ENTRY_TIME);
        assertThat(job.content()).isEqualTo(JAR);
        assertThat(Layers.rawHeaders(tar)).as("one header record in the whole tar: no directory, no extended header")
                .extracting(Layers.RawHeader::type).containsExactly('0');
    }

    @Test
    void gnuTarListsOnlyTheFileForAFileWithACustomOwner() throws IOException {
        Path jar = Layers.file(temp.resolve("job-1.0.jar"), JAR, "rw-r--r--");
        Path archive = Files.write(temp.resolve("layer.tar.gz"),
                Layers.write(new LayerSource(jar, "/opt/flink/usrlib/job.jar", 9999, 9998), Compression.GZIP).compressed());

        assertThat(Layers.gnuTarList(temp, archive, "-z")).containsExactly(
                "-rw-r--r-- 9999/9998 " + JAR.length + " 2023-11-14 22:13:20 opt/flink/usrlib/job.jar");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void copyingADirectorysContentsWritesNoEntryForDestItself(Compression compression) throws IOException {
        Path src = Layers.directory(temp.resolve("conf"), "rwx------");
        Layers.file(src.resolve("flink-conf.yaml"), CONF, "rw-r-----");
        Layers.directory(src.resolve("plugins"), "rwxr-x---");
        Layers.file(src.resolve("plugins/s3.jar"), JAR, "rw-r--r--");
        Files.createSymbolicLink(src.resolve("current"), Path.of("flink-conf.yaml"));

        for (String dest : List.of("/opt/flink/conf", "/opt/flink/conf/", "//opt/./flink/x/../conf")) {
            List<Entry> entries = Layers.entries(Layers.write(new LayerSource(src, dest, 9999, 9998), compression), compression);

            assertThat(names(entries)).as("contents of the source for %s", dest).containsExactly(
                    "opt/flink/conf/current", "opt/flink/conf/flink-conf.yaml", "opt/flink/conf/plugins/",
                    "opt/flink/conf/plugins/s3.jar");
            assertThat(entry(entries, "opt/flink/conf/flink-conf.yaml").mode()).isEqualTo(0640);
            assertThat(entry(entries, "opt/flink/conf/flink-conf.yaml").content()).asString(StandardCharsets.UTF_8)
                    .isEqualTo(CONF);
            assertThat(entry(entries, "opt/flink/conf/plugins/").type()).isEqualTo('d');
            assertThat(entry(entries, "opt/flink/conf/plugins/").mode()).as("a subdirectory keeps its mode").isEqualTo(0750);
            assertThat(entry(entries, "opt/flink/conf/current").linkName()).isEqualTo("flink-conf.yaml");
            assertThat(entries).allSatisfy(e -> {
                assertThat(e.uid()).as("uid of %s", e).isEqualTo(9999);
                assertThat(e.gid()).as("gid of %s", e).isEqualTo(9998);
            });
        }
    }

    @Test
    void aSourceHoldingOnlyAnEmptySubdirectoryGetsNoEntryForDest() throws IOException {
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        Layers.directory(src.resolve("checkpoints"), "rwxrwx---");

        List<Entry> entries = Layers.entries(Layers.write(new LayerSource(src, "/opt/flink/data"), Compression.GZIP),
                Compression.GZIP);

        assertThat(names(entries)).containsExactly("opt/flink/data/checkpoints/");
        assertThat(entries.get(0).mode()).isEqualTo(0770);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void anEmptySourceDirectoryYieldsExactlyOneEntryForDestWithMode0755(Compression compression) throws IOException {
        Path empty = Layers.directory(temp.resolve("empty"), "rwx------"); // 0755 is not the source's mode
        Written layer = Layers.write(new LayerSource(empty, "/opt/flink/plugins/metrics", 9999, 9998), compression);
        List<Entry> entries = Layers.entries(layer, compression);

        assertThat(entries).hasSize(1);
        Entry dest = entries.get(0);
        assertThat(dest.name()).isEqualTo("opt/flink/plugins/metrics/");
        assertThat(dest.type()).isEqualTo('d');
        assertThat(dest.mode()).isEqualTo(LayerTree.CREATED_DIRECTORY_MODE).isEqualTo(0755);
        assertThat(dest.uid()).isEqualTo(9999);
        assertThat(dest.gid()).isEqualTo(9998);
        assertThat(dest.mtime()).isEqualTo(ENTRY_TIME);
        assertThat(dest.size()).isZero();
        assertThat(layer.result().uncompressedSize() % 512).isZero();

        Path archive = Files.write(temp.resolve("layer.tar"), layer.compressed());
        if (compression == Compression.GZIP || Layers.gnuTarHasZstd(temp)) {
            assertThat(Layers.gnuTarList(temp, archive, compression == Compression.GZIP ? "-z" : "--zstd"))
                    .containsExactly("drwxr-xr-x 9999/9998 0 2023-11-14 22:13:20 opt/flink/plugins/metrics/");
        }
    }

    @Test
    void anEmptySourceDirectoryCopiedToTheRootGivesAnEmptyButValidLayer() throws IOException {
        Path empty = Layers.directory(temp.resolve("empty"), "rwxr-xr-x");
        Written layer = Layers.write(new LayerSource(empty, "/"), Compression.GZIP);

        assertThat(Layers.entries(layer, Compression.GZIP)).isEmpty();
        assertThat(layer.result().uncompressedSize()).isPositive();
        assertThat(layer.result().uncompressedSize() % 512).isZero();
        Path archive = Files.write(temp.resolve("layer.tar.gz"), layer.compressed());
        assertThat(Layers.gnuTarList(temp, archive, "-z")).isEmpty();
    }

    @Test
    void gnuTarExtractsSuchLayersIntoAnEmptyDirectoryCreatingTheMissingParents() throws IOException {
        Path jar = Layers.file(temp.resolve("build/job-1.0.jar"), JAR, "rw-r--r--");
        Path conf = Layers.directory(temp.resolve("conf"), "rwx------");
        Layers.file(conf.resolve("flink-conf.yaml"), CONF, "rw-r--r--");
        Path empty = Layers.directory(temp.resolve("empty"), "rwx------");
        Path root = Files.createDirectory(temp.resolve("rootfs"));
        int me = uid(temp);

        extract(Layers.write(new LayerSource(jar, "/opt/flink/usrlib/job.jar", 9999, 9998), Compression.GZIP), root);
        extract(Layers.write(new LayerSource(conf, "/opt/flink/conf", 9999, 9998), Compression.GZIP), root);
        extract(Layers.write(new LayerSource(empty, "/opt/flink/plugins/metrics", 9999, 9998), Compression.GZIP), root);

        assertThat(root.resolve("opt/flink/usrlib/job.jar")).isRegularFile();
        assertThat(Files.readAllBytes(root.resolve("opt/flink/usrlib/job.jar"))).isEqualTo(JAR);
        assertThat(root.resolve("opt/flink/conf/flink-conf.yaml")).isRegularFile().hasContent(CONF);
        assertThat(root.resolve("opt/flink/plugins/metrics")).isDirectory().isEmptyDirectory();
        assertThat(mode(root.resolve("opt/flink/plugins/metrics"))).isEqualTo("rwxr-xr-x");
        for (String parent : List.of("opt", "opt/flink", "opt/flink/usrlib", "opt/flink/conf", "opt/flink/plugins")) {
            Path dir = root.resolve(parent);
            assertThat(dir).isDirectory();
            assertThat(mode(dir)).as("mode of %s, created by tar", parent).isEqualTo("rwxr-xr-x");
            assertThat(uid(dir)).as("owner of %s: whoever extracts, not the layer's 9999", parent).isEqualTo(me);
        }
        if (me == 0) { // GNU tar run by root restores the entries' owners
            assertThat(uid(root.resolve("opt/flink/usrlib/job.jar"))).isEqualTo(9999);
            assertThat(uid(root.resolve("opt/flink/plugins/metrics"))).isEqualTo(9999);
        }
    }

    @Test
    void directoriesOfTheBaseKeepTheirOwnerAndModeWhenTheLayerIsApplied() throws IOException {
        Path base = Files.createDirectory(temp.resolve("base"));
        Path flink = Layers.directory(base.resolve("opt/flink"), "rwxr-x---");
        Path usrlib = Layers.directory(base.resolve("opt/flink/usrlib"), "rwxrwx---");
        boolean root = uid(temp) == 0;
        if (root) {
            chown(flink, 4242);
            chown(usrlib, 4242);
        }
        Path jar = Layers.file(temp.resolve("job-1.0.jar"), JAR, "rw-r--r--");
        Path lib = Layers.directory(temp.resolve("lib"), "rwx------");
        Layers.file(lib.resolve("dep.jar"), JAR, "rw-r--r--");

        extract(Layers.write(new LayerSource(jar, "/opt/flink/usrlib/job.jar", 9999, 9998), Compression.GZIP), base);
        extract(Layers.write(new LayerSource(lib, "/opt/flink/usrlib", 9999, 9998), Compression.GZIP), base);

        assertThat(Files.readAllBytes(usrlib.resolve("job.jar"))).isEqualTo(JAR);
        assertThat(Files.readAllBytes(usrlib.resolve("dep.jar"))).isEqualTo(JAR);
        assertThat(mode(flink)).isEqualTo("rwxr-x---");
        assertThat(mode(usrlib)).as("DEST of the directory copy").isEqualTo("rwxrwx---");
        if (root) {
            assertThat(uid(flink)).isEqualTo(4242);
            assertThat(uid(usrlib)).isEqualTo(4242);
            assertThat(Files.getAttribute(usrlib, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
        }
    }

    /** Applies a gzip layer the way a runtime would, with GNU tar under umask 022. */
    private void extract(Written layer, Path into) throws IOException {
        Path archive = Files.createTempFile(temp, "layer", ".tar.gz");
        Files.write(archive, layer.compressed());
        Layers.run(temp, "sh", "-c", "umask 022 && exec tar -xzf \"$1\" -C \"$2\"", "sh", archive.toString(), into.toString());
    }

    private static int uid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static void chown(Path path, int id) throws IOException {
        Files.setAttribute(path, "unix:uid", id, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", id, LinkOption.NOFOLLOW_LINKS);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
