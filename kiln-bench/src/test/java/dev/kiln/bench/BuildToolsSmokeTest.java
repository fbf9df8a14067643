package dev.kiln.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Argument handling of the build tools (no network), and the parallel gzip's output. */
class BuildToolsSmokeTest {
    private record Outcome(int code, String out, String err) {
    }

    interface Tool {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private static Outcome run(Tool tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsExitWithTwo() {
        for (Tool tool : new Tool[]{JibBuild::run, KilnApiBuild::run}) {
            assertUsageError(run(tool), "--from is required");
            assertUsageError(run(tool, "--from", "127.0.0.1:1/base:1", "--cache", "/tmp/x"), "--to is required");
            assertUsageError(run(tool, "--from", "127.0.0.1:1/base:1", "--to", "127.0.0.1:1/job:1"), "--cache is required");
            assertUsageError(run(tool, "--from", "127.0.0.1:1/base:1", "--bogus"), "unknown argument '--bogus'");
            assertUsageError(run(tool, "--from"), "--from needs a value");
            assertUsageError(run(tool, "--add", "no-destination"), "--add: invalid layer source");
            assertUsageError(run(tool, "--add", "dir:relative/dest"), "must be an absolute path");
            assertUsageError(run(tool, "--repeat", "0"), "--repeat must be a positive number");
            assertUsageError(run(tool, "--repeat=x"), "--repeat must be a positive number, not 'x'");
            assertUsageError(run(tool, "--from", "a/b:1", "--to", "oci:/tmp/layout", "--cache", "/tmp/x"), "--to must be a registry image");
            assertUsageError(run(tool, "--from", "a/b:1", "--to", "a/c:1", "--cache", "/tmp/x", "--platform", "amd64"), "invalid --platform");
        }
    }

    @Test
    void malformedReferencesAreUsageErrors() {
        Outcome jib = run(JibBuild::run, "--from", "Not A Reference", "--to", "127.0.0.1:1/job:1", "--cache", "/tmp/x");
        assertThat(jib.code()).isEqualTo(2);
        assertThat(jib.err()).startsWith("error: ");
        Outcome kiln = run(KilnApiBuild::run, "--from", "Not A Reference", "--to", "127.0.0.1:1/job:1", "--cache", "/tmp/x");
        assertThat(kiln.code()).isEqualTo(2);
        assertThat(kiln.err()).startsWith("error: invalid reference");
    }

    @Test
    void helpPrintsUsage() {
        Outcome jib = run(JibBuild::run, "--help");
        assertThat(jib.code()).isZero();
        assertThat(jib.out()).contains("dev.kiln.bench.JibBuild --from", "\"tool\":\"jib\"");
        Outcome kiln = run(KilnApiBuild::run, "-h");
        assertThat(kiln.code()).isZero();
        assertThat(kiln.out()).contains("dev.kiln.bench.KilnApiBuild --from", "\"tool\":\"kiln-api\"", "--repeat");
    }

    @Test
    void parsesAFullCommandLine(@TempDir Path dir) throws Exception {
        // the sources exist: a build request checks its --add sources before anything else
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path jar = Files.writeString(dir.resolve("job.jar"), "jar");
        BuildOptions options = BuildOptions.parse(new String[]{"--from", "127.0.0.1:5000/flink:1.18", "--add", conf + "/:/opt/flink/conf/",
                "--add=" + jar + ":/opt/flink/usrlib/:9999:9999", "--to=10.0.0.1:5000/jobs/job:1", "--cache", "/tmp/c",
                "--insecure", "--repeat", "3", "--platform", "linux/arm64", "--docker-config", "/tmp/docker/config.json"});
        assertThat(options.from()).isEqualTo("127.0.0.1:5000/flink:1.18");
        assertThat(options.to()).isEqualTo("10.0.0.1:5000/jobs/job:1");
        assertThat(options.cache()).isEqualTo(Path.of("/tmp/c"));
        assertThat(options.insecure()).isTrue();
        assertThat(options.dockerConfig()).isEqualTo(Path.of("/tmp/docker/config.json"));
        assertThat(options.repeat()).isEqualTo(3);
        assertThat(options.platform()).isEqualTo("linux/arm64");
        assertThat(options.adds()).hasSize(2);
        assertThat(options.adds().get(0).destination()).isEqualTo("/opt/flink/conf/");
        assertThat(options.adds().get(1).uid()).isEqualTo(9999);
        assertThat(KilnApiBuild.request(options).layers()).hasSize(2);
    }

    @Test
    void jibLayersPlaceFilesAsDockerCopy(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf/sub"));
        Files.writeString(dir.resolve("conf/flink-conf.yaml"), "a: 1\n");
        Files.writeString(dir.resolve("conf/sub/log.properties"), "b=2\n");
        Files.writeString(dir.resolve("job.jar"), "PK");
        var time = java.time.Instant.EPOCH;
        var conf = JibBuild.layer(dev.kiln.internal.layer.LayerSource.parse(dir.resolve("conf") + ":/opt/flink/conf/"), time);
        assertThat(conf.getEntries()).extracting(e -> e.getExtractionPath().toString())
                .containsExactly("/opt/flink/conf/flink-conf.yaml", "/opt/flink/conf/sub", "/opt/flink/conf/sub/log.properties");
        var intoDir = JibBuild.layer(dev.kiln.internal.layer.LayerSource.parse(dir.resolve("job.jar") + ":/opt/flink/usrlib/:1:2"), time);
        assertThat(intoDir.getEntries()).singleElement().satisfies(e -> {
            assertThat(e.getExtractionPath().toString()).isEqualTo("/opt/flink/usrlib/job.jar");
            assertThat(e.getOwnership()).isEqualTo("1:2");
        });
        var renamed = JibBuild.layer(dev.kiln.internal.layer.LayerSource.parse(dir.resolve("job.jar") + ":/opt/flink/usrlib/orders.jar"), time);
        assertThat(renamed.getEntries()).singleElement()
                .satisfies(e -> assertThat(e.getExtractionPath().toString()).isEqualTo("/opt/flink/usrlib/orders.jar"));
    }

    @Test
    void parallelGzipIsOneValidGzipStream() throws IOException {
        byte[] input = new byte[3 * 1024 * 1024 + 12345];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + random.nextInt(8));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(compressed, pool, 2, 1024 * 1024, 6)) {
                gzip.write(input, 0, 1000);
                gzip.write(input, 1000, input.length - 1000);
            }
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.toByteArray()))) {
                assertThat(in.readAllBytes()).isEqualTo(input);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void benchmarkListIsGenerated() throws IOException {
        try (InputStream list = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertThat(list).as("META-INF/BenchmarkList (the JMH annotation processor's output)").isNotNull();
            assertThat(new String(list.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("dev.kiln.bench.LayerThroughputBenchmark", "layerWriterGzip", "layerWriterZstd", "jdkGzipLevel1", "jdkGzipLevel6", "parallelGzipLevel6");
        }
    }

    private static void assertUsageError(Outcome outcome, String message) {
        assertThat(outcome.code()).as(outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("error: ").contains(message).contains("usage:");
        assertThat(outcome.out()).isEmpty();
    }
}
