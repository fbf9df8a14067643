package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageConfig;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.testing.TestJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkJobTest {
    @TempDir
    Path dir;

    private Path jar(String name, Attributes.Name attribute, String mainClass) throws IOException {
        return TestJars.write(dir.resolve(name), attribute, mainClass, "a.txt", "a");
    }

    private static ImageConfig withEnv(String... env) {
        return new ImageConfig("amd64", "linux", null, null, null, null,
                new ImageConfig.RuntimeConfig(null, List.of(env), null, null, null, null, null, null, null), null, null);
    }

    @Test
    void layersGoUnderTheBasesFlinkHomeFromLeastToMostOftenChanging() throws IOException {
        Path conf = Files.writeString(dir.resolve("flink-conf.yaml"), "parallelism.default: 4\n");
        Path hive = Files.createDirectories(dir.resolve("hive"));
        Path rules = Files.writeString(dir.resolve("rules.json"), "{}");
        FlinkJob job = new FlinkJob(JobJar.inspect(jar("job.jar", null, null)), List.of(jar("kafka.jar", null, null)), List.of(conf),
                List.of(new LayerSource(rules, "/srv/flink-1.18/job-conf/", 9999, 9999)), null, hive, Optional.of("com.example.Job"), 9999, 9999, List.of());

        FlinkJob.Plan plan = job.plan(withEnv("FLINK_HOME=/srv/flink-1.18/"));

        assertThat(plan.flinkHome()).isEqualTo("/srv/flink-1.18");
        assertThat(plan.layers()).extracting(LayerSource::destination)
                .containsExactly("/opt/hive/conf/", "/srv/flink-1.18/conf/", "/srv/flink-1.18/lib/", "/srv/flink-1.18/job-conf/",
                        "/srv/flink-1.18/usrlib/job.jar");
        assertThat(plan.layers()).allMatch(l -> l.uid() == 9999 && l.gid() == 9999);
        assertThat(plan.env()).containsExactly(java.util.Map.entry("HIVE_CONF_DIR", "/opt/hive/conf"));
        assertThat(plan.labels()).containsEntry(FlinkJob.LABEL_JAR, "/srv/flink-1.18/usrlib/job.jar")
                .containsEntry(FlinkJob.LABEL_MAIN_CLASS, "com.example.Job");
        assertThat(plan.jarUri()).isEqualTo("local:///srv/flink-1.18/usrlib/job.jar");
        assertThat(new FlinkJob(JobJar.inspect(jar("job.jar", null, null)), List.of(), List.of(), List.of(), null, null, Optional.empty(), 0, 0, List.of())
                .plan(withEnv()).flinkHome()).as("the default").isEqualTo("/opt/flink");
    }

    @Test
    void aDirectoryOfJarsIsOneLayerInLibOrUsrlibAfterTheLibsAndBeforeTheJob() throws IOException {
        Path released = Files.createDirectories(dir.resolve("released"));
        Files.copy(jar("kafka.jar", null, null), released.resolve("kafka-clients-3.4.0.jar"));
        Files.copy(jar("conn.jar", null, null), released.resolve("flink-connector-kafka-3.1.0-1.18.jar"));
        JobJar job = JobJar.inspect(jar("job.jar", null, null));

        FlinkJob.Plan plan = new FlinkJob(job, List.of(jar("lib.jar", null, null)), List.of(), List.of(), null, null, Optional.empty(), 0, 0,
                List.of(new FlinkJob.JarGroup(released, "usrlib"), new FlinkJob.JarGroup(released, "lib"))).plan(withEnv());

        assertThat(plan.layers()).extracting(LayerSource::destination)
                .containsExactly("/opt/flink/lib/", "/opt/flink/usrlib/", "/opt/flink/lib/", "/opt/flink/usrlib/job.jar");
        assertThat(plan.layers().get(1).entries()).extracting(e -> e.path())
                .containsExactly("opt/flink/usrlib/flink-connector-kafka-3.1.0-1.18.jar", "opt/flink/usrlib/kafka-clients-3.4.0.jar");
        Files.writeString(released.resolve("README.txt"), "not a jar");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(), List.of(), List.of(), null, null, Optional.empty(), 0, 0,
                List.of(new FlinkJob.JarGroup(released, "usrlib")))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("README.txt").hasMessageContaining("is not a jar");
    }

    @Test
    void librariesThatWouldTakeTheImageOverDockersLayerLimitShareOneLayer() throws IOException {
        JobJar job = JobJar.inspect(jar("job.jar", null, null));
        Files.createDirectories(dir.resolve("libs"));
        List<Path> libs = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            libs.add(Files.copy(jar("x.jar", null, null), dir.resolve("libs/lib-" + i + ".jar")));
        }
        FlinkJob flink = new FlinkJob(job, libs, List.of(), List.of(), null, null, Optional.empty(), 9999, 9999, List.of());
        // base layers + 60 libraries + the job: 64 + 61 = 125 layers at most, one each; one more base layer, and they share one
        FlinkJob.Plan fits = flink.plan(withLayers(64));
        FlinkJob.Plan over = flink.plan(withLayers(65));

        assertThat(fits.layers()).hasSize(61);
        assertThat(over.layers()).hasSize(2);
        LayerSource shared = over.layers().get(0);
        assertThat(shared.entries()).extracting(e -> e.path()).hasSize(60)
                .allMatch(path -> path.matches("opt/flink/lib/lib-\\d+\\.jar")).isSorted();
        assertThat(shared.entries()).allMatch(e -> e.uid() == 9999 && e.gid() == 9999);
        assertThat(shared.destination()).isEqualTo("/opt/flink/lib/");
        assertThat(over.layers().get(1).destination()).isEqualTo("/opt/flink/usrlib/job.jar");
        assertThat(65 + over.layers().size()).isLessThanOrEqualTo(FlinkJob.MAX_IMAGE_LAYERS);
    }

    private static ImageConfig withLayers(int count) {
        List<Digest> diffIds = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> Digest.sha256(Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
        return new ImageConfig("amd64", "linux", null, null, null, null, null, new ImageConfig.RootFs("layers", diffIds), null);
    }

    @Test
    void aLibraryIsCheckedFromItsZipEndRecord() throws IOException {
        Path lib = jar("lib.jar", null, null);
        JobJar.requireJar(lib);
        byte[] bytes = Files.readAllBytes(lib);
        Path commented = dir.resolve("commented.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(commented))) {
            out.setComment("a comment after the end record, " + "x".repeat(300));
            out.putNextEntry(new java.util.zip.ZipEntry("a.class"));
        }
        JobJar.requireJar(commented);
        Path truncated = Files.write(dir.resolve("truncated.jar"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        Path empty = dir.resolve("empty.jar");
        new JarOutputStream(Files.newOutputStream(empty)).close();
        Path text = Files.writeString(dir.resolve("notes.jar"), "plain text");
        Path tiny = Files.writeString(dir.resolve("tiny.jar"), "PK");

        for (Path notAJar : List.of(truncated, text, tiny)) {
            assertThatThrownBy(() -> JobJar.requireJar(notAJar)).isInstanceOf(InvalidInputException.class)
                    .hasMessage("jar '" + notAJar + "' is not a jar (no zip end record)");
        }
        assertThatThrownBy(() -> JobJar.requireJar(empty)).hasMessage("jar '" + empty + "' is an empty archive");
        assertThatThrownBy(() -> JobJar.requireJar(dir)).hasMessage("jar '" + dir + "' is not a file");
        assertThatThrownBy(() -> JobJar.requireJar(dir.resolve("missing.jar"))).hasMessageContaining("does not exist");
    }

    @Test
    void theEntryClassComesFromProgramClassThenMainClass() throws IOException {
        assertThat(JobJar.inspect(jar("a.jar", Attributes.Name.MAIN_CLASS, "com.example.Main")).mainClass()).contains("com.example.Main");
        assertThat(JobJar.inspect(jar("b.jar", new Attributes.Name("program-class"), "com.example.Program")).mainClass())
                .contains("com.example.Program");
        assertThat(JobJar.inspect(jar("c.jar", null, null)).mainClass()).isEmpty();
    }

    @Test
    void inputsAreCheckedWhenTheJobIsDescribed() throws IOException {
        JobJar job = JobJar.inspect(jar("job.jar", null, null));
        Path text = Files.writeString(dir.resolve("notes.jar"), "plain text");
        Path empty = dir.resolve("empty.jar");
        new JarOutputStream(Files.newOutputStream(empty)).close();
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Path libA = Files.copy(jar("x.jar", null, null), dir.resolve("a/same.jar"));
        Path libB = Files.copy(jar("y.jar", null, null), dir.resolve("b/same.jar"));

        assertThatThrownBy(() -> JobJar.inspect(text)).isInstanceOf(InvalidInputException.class).hasMessageContaining("is not a jar");
        assertThatThrownBy(() -> JobJar.inspect(empty)).isInstanceOf(InvalidInputException.class).hasMessageContaining("empty archive");
        assertThatThrownBy(() -> JobJar.inspect(dir)).isInstanceOf(InvalidInputException.class).hasMessageContaining("is not a file");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(libA, libB), List.of(), List.of(), null, null, Optional.empty(), 0, 0, List.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("two --lib files are named 'same.jar'");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(), List.of(dir.resolve("nope.yaml")), List.of(), null, null, Optional.empty(), 0, 0, List.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(), List.of(), List.of(), text, null, Optional.empty(), 0, 0, List.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--hadoop-conf").hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(), List.of(), List.of(new LayerSource(text, "/opt/flink/conf/rules.json")), null,
                null, Optional.empty(), 0, 0, List.of())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--add destination '/opt/flink/conf/rules.json' is under /opt/flink/conf")
                .hasMessageContaining("hides it");
        FlinkJob hidden = new FlinkJob(job, List.of(), List.of(), List.of(new LayerSource(text, "/srv/flink/lib/../conf/")), null, null,
                Optional.empty(), 0, 0, List.of());
        assertThatThrownBy(() -> hidden.plan(withEnv("FLINK_HOME=/srv/flink"))).as("under the base's own FLINK_HOME")
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("is under /srv/flink/conf");
        assertThatThrownBy(() -> new FlinkJob(job, List.of(), List.of(), List.of(new LayerSource(dir.resolve("gone"), "/opt/x")), null,
                null, Optional.empty(), 0, 0, List.of())).isInstanceOf(InvalidInputException.class).hasMessageContaining("does not exist");
    }
}
