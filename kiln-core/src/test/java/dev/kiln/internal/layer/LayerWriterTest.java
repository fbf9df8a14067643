package dev.kiln.internal.layer;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Digest;
import dev.kiln.internal.layer.Layers.Entry;
import dev.kiln.internal.layer.Layers.Written;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static dev.kiln.internal.layer.Layers.ENTRY_TIME;
import static dev.kiln.internal.layer.Layers.entry;
import static dev.kiln.internal.layer.Layers.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class LayerWriterTest {
    private static final String RUN_SH = "#!/bin/sh\nexec java -jar /opt/app/lib/job.jar \"$@\"\n";
    private static final String APP_CONF = "secret=42\n";
    private static final String README = "# app\n";
    private static final byte[] JAR = Layers.jarLike(100_000, 1);

    @TempDir
    Path temp;

    /** The application tree most tests copy: scripts, a private config, a jar, links in and out. */
    private Path appTree() throws IOException {
        Path src = Layers.directory(temp.resolve("app"), "rwx------"); // not in the layer: only its contents are
        Layers.file(src.resolve("bin/run.sh"), RUN_SH, "rwxr-xr-x");
        Layers.directory(src.resolve("conf"), "rwxr-x---");
        Layers.file(src.resolve("conf/app.conf"), APP_CONF, "rw-------");
        Layers.file(src.resolve("lib/job.jar"), JAR, "rw-r--r--");
        Layers.file(src.resolve("README.md"), README, "rw-r--r--");
        Files.createSymbolicLink(src.resolve("link-out"), Path.of("../../etc/passwd"));
        Files.createSymbolicLink(src.resolve("link-in"), Path.of("bin/run.sh"));
        return src;
    }

    private static final List<String> APP_ENTRIES = List.of("opt/app/README.md", "opt/app/bin/",
            "opt/app/bin/run.sh", "opt/app/conf/", "opt/app/conf/app.conf", "opt/app/lib/", "opt/app/lib/job.jar",
            "opt/app/link-in", "opt/app/link-out");

    @ParameterizedTest
    @EnumSource(Compression.class)
    void directoryIsCopiedLikeDockerCopyWithSortedEntriesModesOwnersAndTimes(Compression compression) throws IOException {
        Written layer = Layers.write(new LayerSource(appTree(), "/opt/app"), compression);
        List<Entry> entries = Layers.entries(layer, compression);

        assertThat(names(entries)).containsExactlyElementsOf(APP_ENTRIES);
        for (Entry e : entries) {
            assertThat(e.mtime()).as("mtime of %s", e).isEqualTo(ENTRY_TIME);
            assertThat(e.uid()).as("uid of %s", e).isZero();
            assertThat(e.gid()).as("gid of %s", e).isZero();
            assertThat(e.userName()).as("user name of %s", e).isEmpty();
            assertThat(e.groupName()).as("group name of %s", e).isEmpty();
        }
        assertThat(names(entries)).as("neither DEST's parents nor DEST (nor the 0700 source directory itself) are entries")
                .doesNotContain("opt/", "opt/app/", "opt/app");
        assertThat(entry(entries, "opt/app/conf/").mode()).isEqualTo(0750);
        assertThat(entry(entries, "opt/app/bin/run.sh").mode()).isEqualTo(0755);
        assertThat(entry(entries, "opt/app/conf/app.conf").mode()).isEqualTo(0600);
        assertThat(entry(entries, "opt/app/README.md").mode()).isEqualTo(0644);
        assertThat(entry(entries, "opt/app/bin/run.sh").content()).asString(StandardCharsets.UTF_8).isEqualTo(RUN_SH);
        assertThat(entry(entries, "opt/app/conf/app.conf").content()).asString(StandardCharsets.UTF_8).isEqualTo(APP_CONF);
        assertThat(entry(entries, "opt/app/lib/job.jar").content()).isEqualTo(JAR);
        assertThat(entries).filteredOn(e -> e.type() == 'd').extracting(Entry::name)
                .containsExactly("opt/app/bin/", "opt/app/conf/", "opt/app/lib/");

        Entry out = entry(entries, "opt/app/link-out");
        assertThat(out.type()).isEqualTo('l');
        assertThat(out.linkName()).isEqualTo("../../etc/passwd");
        assertThat(out.size()).isZero();
        assertThat(out.content()).as("a link is never followed").isEmpty();
        Entry in = entry(entries, "opt/app/link-in");
        assertThat(in.type()).isEqualTo('l');
        assertThat(in.linkName()).isEqualTo("bin/run.sh");
        assertThat(in.content()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void gnuTarListsAndExtractsTheLayer(Compression compression) throws IOException {
        String flag = compression == Compression.GZIP ? "-z" : "--zstd";
        assumeThat(compression == Compression.GZIP || Layers.gnuTarHasZstd(temp)).as("GNU tar with --zstd").isTrue();
        Written layer = Layers.write(new LayerSource(appTree(), "/opt/app"), compression);
        Path archive = Files.write(temp.resolve("layer.tar"), layer.compressed());

        assertThat(Layers.gnuTarList(temp, archive, flag)).containsExactly(
                "-rw-r--r-- 0/0 6 2023-11-14 22:13:20 opt/app/README.md",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 opt/app/bin/",
                "-rwxr-xr-x 0/0 " + RUN_SH.length() + " 2023-11-14 22:13:20 opt/app/bin/run.sh",
                "drwxr-x--- 0/0 0 2023-11-14 22:13:20 opt/app/conf/",
                "-rw------- 0/0 10 2023-11-14 22:13:20 opt/app/conf/app.conf",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 opt/app/lib/",
                "-rw-r--r-- 0/0 100000 2023-11-14 22:13:20 opt/app/lib/job.jar",
                "lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 opt/app/link-in -> bin/run.sh",
                "lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 opt/app/link-out -> ../../etc/passwd");

        Path extracted = Files.createDirectory(temp.resolve("x"));
        Layers.run(temp, "tar", flag, "-xf", archive.toString(), "-C", extracted.toString());
        assertThat(extracted.resolve("opt/app")).as("DEST is created by tar, though not an entry").isDirectory();
        assertThat(extracted.resolve("opt/app/bin/run.sh")).hasContent(RUN_SH);
        assertThat(Files.getPosixFilePermissions(extracted.resolve("opt/app/bin/run.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.readAllBytes(extracted.resolve("opt/app/lib/job.jar"))).isEqualTo(JAR);
        assertThat(Files.readSymbolicLink(extracted.resolve("opt/app/link-out"))).isEqualTo(Path.of("../../etc/passwd"));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void diffIdIsTheSha256OfTheUncompressedTar(Compression compression) throws IOException {
        Written layer = Layers.write(new LayerSource(appTree(), "/opt/app"), compression);
        byte[] tar = Layers.decompress(layer.compressed(), compression);

        assertThat(layer.result().diffId()).isEqualTo(Digest.sha256(tar));
        assertThat(layer.result().uncompressedSize()).isEqualTo(tar.length);
        assertThat(layer.compressed()).isNotEqualTo(tar);
    }

    @Test
    void gzipHeaderIsFixedAndRealGzipAcceptsTheStream() throws IOException {
        Written layer = Layers.write(new LayerSource(appTree(), "/opt/app"), Compression.GZIP);

        // magic, deflate, no flags, mtime 0, no extra flags, OS unknown
        assertThat(Arrays.copyOf(layer.compressed(), 10))
                .containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
        Path archive = Files.write(temp.resolve("layer.tar.gz"), layer.compressed());
        Layers.run(temp, "gzip", "-t", archive.toString());
    }

    @Test
    void aFileGoesInsideADestinationEndingInSlashAndToTheDestinationOtherwise() throws IOException {
        Path jar = Layers.file(temp.resolve("build/job-1.0.jar"), JAR, "rw-r-----");

        List<Entry> inside = Layers.entries(Layers.write(new LayerSource(jar, "/opt/flink/usrlib/", 9999, 9998), Compression.GZIP),
                Compression.GZIP);
        assertThat(names(inside)).as("no entries for the parents").containsExactly("opt/flink/usrlib/job-1.0.jar");
        assertThat(inside).allSatisfy(e -> {
            assertThat(e.uid()).as("uid of %s", e).isEqualTo(9999);
            assertThat(e.gid()).as("gid of %s", e).isEqualTo(9998);
        });
        assertThat(entry(inside, "opt/flink/usrlib/job-1.0.jar").mode()).isEqualTo(0640);
        assertThat(entry(inside, "opt/flink/usrlib/job-1.0.jar").content()).isEqualTo(JAR);

        List<Entry> renamed = Layers.entries(Layers.write(new LayerSource(jar, "/opt/flink/usrlib/job.jar"), Compression.GZIP),
                Compression.GZIP);
        assertThat(names(renamed)).containsExactly("opt/flink/usrlib/job.jar");
        assertThat(renamed).allSatisfy(e -> assertThat(e.uid()).isZero());

        List<Entry> atRoot = Layers.entries(Layers.write(new LayerSource(jar, "/"), Compression.GZIP), Compression.GZIP);
        assertThat(names(atRoot)).containsExactly("job-1.0.jar");
    }

    @Test
    void customOwnerShowsInGnuTar() throws IOException {
        Path jar = Layers.file(temp.resolve("job.jar"), JAR, "rw-r--r--");
        Written layer = Layers.write(new LayerSource(jar, "/opt/flink/usrlib/", 9999, 9999), Compression.GZIP);
        Path archive = Files.write(temp.resolve("layer.tar.gz"), layer.compressed());

        assertThat(Layers.gnuTarList(temp, archive, "-z")).containsExactly(
                "-rw-r--r-- 9999/9999 100000 2023-11-14 22:13:20 opt/flink/usrlib/job.jar");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void longAndNonAsciiNamesLongLinkTargetsAndBigIdsRoundTrip(Compression compression) throws IOException {
        String flag = compression == Compression.GZIP ? "-z" : "--zstd";
        assumeThat(compression == Compression.GZIP || Layers.gnuTarHasZstd(temp)).as("GNU tar with --zstd").isTrue();
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        String deep = "a".repeat(40) + "/" + "b".repeat(40) + "/" + "c".repeat(40) + "/";
        Layers.directory(src.resolve(deep), "rwxr-xr-x");
        Layers.directory(src.resolve("a".repeat(40) + "/" + "b".repeat(40)), "rwxr-xr-x");
        Layers.directory(src.resolve("a".repeat(40)), "rwxr-xr-x");
        String longFile = deep + "d".repeat(150 - 4 - deep.length() - 4) + ".txt"; // "opt/" + 146 = 150 characters
        Layers.file(src.resolve(longFile), "long\n", "rw-r--r--");
        Layers.file(src.resolve("ünïcødé/名前.txt"), "ünï\n", "rw-r--r--");
        Layers.directory(src.resolve("ünïcødé"), "rwxr-xr-x");
        String longTarget = "../".repeat(10) + "t".repeat(120);
        Files.createSymbolicLink(src.resolve("far"), Path.of(longTarget));
        int bigId = 3_000_000; // above the 7 octal digits of a ustar id

        Written layer = Layers.write(new LayerSource(src, "/opt", bigId, bigId), compression);
        byte[] tar = Layers.decompress(layer.compressed(), compression);
        List<Entry> entries = Layers.entries(tar);

        String longPath = "opt/" + longFile;
        assertThat(longPath).hasSize(150);
        assertThat(names(entries)).containsExactly("opt/" + "a".repeat(40) + "/", "opt/" + "a".repeat(40) + "/" + "b".repeat(40) + "/",
                "opt/" + deep, longPath, "opt/far", "opt/ünïcødé/", "opt/ünïcødé/名前.txt");
        assertThat(entry(entries, longPath).content()).asString(StandardCharsets.UTF_8).isEqualTo("long\n");
        assertThat(entry(entries, "opt/ünïcødé/名前.txt").content()).asString(StandardCharsets.UTF_8).isEqualTo("ünï\n");
        assertThat(entry(entries, "opt/far").linkName()).isEqualTo(longTarget);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.uid()).isEqualTo(bigId);
            assertThat(e.gid()).isEqualTo(bigId);
            assertThat(e.mtime()).isEqualTo(ENTRY_TIME);
        });
        // every header, extended ones included, is free of user and group names
        assertThat(Layers.rawHeaders(tar)).allSatisfy(h -> {
            assertThat(h.userName()).as("uname of %s", h).isEmpty();
            assertThat(h.groupName()).as("gname of %s", h).isEmpty();
        });
        assertThat(Layers.rawHeaders(tar)).filteredOn(h -> h.type() == 'x').isNotEmpty();

        Path archive = Files.write(temp.resolve("layer.tar"), layer.compressed());
        List<String> listing = Layers.gnuTarList(temp, archive, flag);
        assertThat(listing).hasSize(7);
        assertThat(listing.get(3)).isEqualTo("-rw-r--r-- 3000000/3000000 5 2023-11-14 22:13:20 " + longPath);
        assertThat(listing.get(4)).isEqualTo("lrwxrwxrwx 3000000/3000000 0 2023-11-14 22:13:20 opt/far -> " + longTarget);
        assertThat(listing.get(6)).isEqualTo("-rw-r--r-- 3000000/3000000 " + "ünï\n".getBytes(StandardCharsets.UTF_8).length
                + " 2023-11-14 22:13:20 opt/ünïcødé/名前.txt");
    }

    @Test
    void aNonAsciiDestinationRoundTrips() throws IOException {
        Path file = Layers.file(temp.resolve("name.txt"), "x\n", "rw-r--r--");
        byte[] tar = Layers.decompress(Layers.write(new LayerSource(file, "/opt/ünïcødé/名前.txt"), Compression.GZIP).compressed(),
                Compression.GZIP);
        List<Entry> entries = Layers.entries(tar);

        assertThat(names(entries)).containsExactly("opt/ünïcødé/名前.txt");
        assertThat(entry(entries, "opt/ünïcødé/名前.txt").type()).isEqualTo('-');
        assertThat(entry(entries, "opt/ünïcødé/名前.txt").content()).asString(StandardCharsets.UTF_8).isEqualTo("x\n");
        assertThat(Layers.rawHeaders(tar)).as("a PAX header carries the non-ASCII name")
                .extracting(Layers.RawHeader::type).containsExactly('x', '0');
    }

    @Test
    void destinationsAreNormalized() throws IOException {
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        Layers.file(src.resolve("f"), "f", "rw-r--r--");

        assertThat(names(Layers.entries(Layers.write(new LayerSource(src, "//opt/./x/../app/"), Compression.GZIP), Compression.GZIP)))
                .containsExactly("opt/app/f");
        assertThat(names(Layers.entries(Layers.write(new LayerSource(src, "/"), Compression.GZIP), Compression.GZIP)))
                .as("a directory copied to / adds its contents only").containsExactly("f");
    }

    @Test
    void aMissingSourceIsNamedAndNothingIsWritten() {
        Path missing = temp.resolve("no-such-dir");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> new LayerWriter(ENTRY_TIME, Compression.GZIP).write(new LayerSource(missing, "/opt"), out))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("source '" + missing + "' does not exist");
        assertThat(out.size()).isZero();
        assertThatThrownBy(() -> LayerWriter.fingerprint(new LayerSource(missing, "/opt"), ENTRY_TIME, Compression.GZIP))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void aDanglingSymlinkAsTheSourceIsMissingButInsideATreeIsKept() throws IOException {
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("nowhere"));

        assertThatThrownBy(() -> Layers.write(new LayerSource(src.resolve("dangling"), "/opt/x"), Compression.GZIP))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dangling");
        List<Entry> entries = Layers.entries(Layers.write(new LayerSource(src, "/opt"), Compression.GZIP), Compression.GZIP);
        assertThat(entry(entries, "opt/dangling").linkName()).isEqualTo("nowhere");
    }

    @Test
    void aSymlinkedSourceIsFollowedLikeADockerCopySource() throws IOException {
        Path real = Layers.directory(temp.resolve("real"), "rwxr-xr-x");
        Layers.file(real.resolve("f"), "f", "rw-r--r--");
        Path link = Files.createSymbolicLink(temp.resolve("current"), real);

        assertThat(names(Layers.entries(Layers.write(new LayerSource(link, "/opt"), Compression.GZIP), Compression.GZIP)))
                .containsExactly("opt/f");
    }

    @Test
    void aFifoIsRejectedClearly() throws IOException {
        Path src = Layers.directory(temp.resolve("src"), "rwxr-xr-x");
        Layers.file(src.resolve("ok"), "ok", "rw-r--r--");
        Layers.run(temp, "mkfifo", src.resolve("pipe").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> new LayerWriter(ENTRY_TIME, Compression.GZIP).write(new LayerSource(src, "/opt"), out))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(src.resolve("pipe").toString())
                .hasMessageContaining("device, fifo or socket");
        assertThat(out.size()).isZero();
    }

    @Test
    void entryTimeIsKeptToWholeSeconds() throws IOException {
        Path file = Layers.file(temp.resolve("f"), "f", "rw-r--r--");
        LayerWriter writer = new LayerWriter(ENTRY_TIME.plusMillis(999), Compression.GZIP);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(new LayerSource(file, "/f"), out);

        assertThat(writer.entryTime()).isEqualTo(ENTRY_TIME);
        assertThat(Layers.entries(Layers.decompress(out.toByteArray(), Compression.GZIP)))
                .singleElement().satisfies(e -> assertThat(e.mtime()).isEqualTo(ENTRY_TIME));
        assertThat(Layers.rawHeaders(Layers.decompress(out.toByteArray(), Compression.GZIP)))
                .as("no extended header for a sub-second time").extracting(Layers.RawHeader::type).containsExactly('0');
    }

    @Test
    void anEmptyDirectoryGivesAValidLayer() throws IOException {
        Path src = Layers.directory(temp.resolve("empty"), "rwxr-xr-x");
        Written layer = Layers.write(new LayerSource(src, "/data"), Compression.ZSTD);

        assertThat(names(Layers.entries(layer, Compression.ZSTD))).containsExactly("data/");
        assertThat(layer.result().uncompressedSize() % 512).isZero();
    }
}
