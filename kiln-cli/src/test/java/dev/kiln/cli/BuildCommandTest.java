package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.TestImages;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code kiln build} against a real registry: JSON and human output, the config it writes (read back
 * with skopeo), layer reuse and what a rebuild uploads (read from the access log), local targets,
 * zstd, file owners (unpacked with umoci) and usage errors.
 */
class BuildCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(11);
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final String DIGEST = "sha256:[0-9a-f]{64}";

    @TempDir
    Path cache;

    @TempDir
    Path work;

    /** A Flink-like base: two layers, Env PATH and FLINK_HOME, entrypoint, cmd, workdir, port 8081. */
    private static TestImages.Pushed pushBase() {
        return REGISTRY.pushFresh("cli/base", AMD64, 30_000, 40_000);
    }

    private static String freshTarget() {
        return REGISTRY.registry().hostPort() + "/" + REGISTRY.freshRepository("cli/job") + ":1";
    }

    /** {@code conf/} with two files and {@code job.jar}, as a job's build produces them. */
    private Path conf() throws IOException {
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("flink-conf.yaml"), "jobmanager.rpc.address: localhost\n");
        Files.writeString(conf.resolve("log4j.properties"), "rootLogger.level = INFO\n");
        return conf;
    }

    private Path jar() throws IOException {
        byte[] bytes = new byte[20_000];
        new java.util.Random(42).nextBytes(bytes);
        return Files.write(work.resolve("job.jar"), bytes);
    }

    /** The arguments of the build the brief describes, for {@code base} to {@code target}. */
    private List<String> flinkBuild(TestImages.Pushed base, String target) throws IOException {
        return new ArrayList<>(List.of("build", "--from", base.ref(), "--platform", "linux/amd64",
                "--add", conf() + "/:/opt/flink/conf/",
                "--add", jar() + ":/opt/flink/usrlib/job.jar",
                "--env", "A=1", "--label", "team=data", "--expose", "8081",
                "--entrypoint", "[\"/docker-entrypoint.sh\"]", "--cmd", "help",
                "--workdir", "/opt/flink", "--user", "9999",
                "--to", target));
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(Arrays.asList(more));
        return all;
    }

    private Cli.Result ok(List<String> args) {
        return Cli.ok(cache, args.toArray(String[]::new));
    }

    private static JsonNode json(String text) {
        try {
            return Cli.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<AccessLogEntry> blobWrites(List<AccessLogEntry> log) {
        return log.stream()
                .filter(e -> List.of("POST", "PUT", "PATCH").contains(e.method()) && e.path().contains("/blobs/"))
                .toList();
    }

    @Test
    void jsonBuildReportsImageBaseLayersTransfersAndStepsAndTheRegistryHasTheConfig() throws IOException {
        TestImages.Pushed base = pushBase();
        String target = freshTarget();

        long mark = REGISTRY.registry().mark();
        Cli.Result result = ok(with(flinkBuild(base, target), "--json"));
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        JsonNode json = result.json();

        assertThat(result.err()).as("--json prints no step log").isEmpty();
        String digest = json.path("digest").asText();
        assertThat(digest).matches(DIGEST);
        assertThat(json.path("image").asText()).isEqualTo(target + "@" + digest);

        JsonNode baseInfo = json.path("base");
        assertThat(baseInfo.path("reference").asText()).isEqualTo(base.ref());
        assertThat(baseInfo.path("digest").asText()).isEqualTo(base.digest().toString());
        assertThat(baseInfo.path("source").asText()).isEqualTo(REGISTRY.registry().hostPort());
        assertThat(baseInfo.path("decision").asText()).startsWith("miss");

        // the registry holds exactly what the JSON says: base layers, then the two application layers
        JsonNode manifest = json(Skopeo.inspectRaw(target, false, null));
        JsonNode pushedLayers = manifest.path("layers");
        assertThat(pushedLayers).hasSize(4);
        for (int i = 0; i < 2; i++) {
            assertThat(pushedLayers.get(i).path("digest").asText()).isEqualTo(base.layers().get(i).digest().toString());
        }
        JsonNode layers = json.path("layers");
        assertThat(layers).hasSize(2);
        assertThat(layers.get(0).path("destination").asText()).isEqualTo("/opt/flink/conf/");
        assertThat(layers.get(1).path("destination").asText()).isEqualTo("/opt/flink/usrlib/job.jar");
        long appBytes = 0;
        for (int i = 0; i < 2; i++) {
            JsonNode layer = layers.get(i);
            assertThat(layer.path("digest").asText()).matches(DIGEST)
                    .isEqualTo(pushedLayers.get(2 + i).path("digest").asText());
            assertThat(layer.path("size").isIntegralNumber()).isTrue();
            assertThat(layer.path("size").asLong()).isPositive().isEqualTo(pushedLayers.get(2 + i).path("size").asLong());
            assertThat(layer.path("cached").asBoolean()).as("built, not reused: %s", layer).isFalse();
            appBytes += layer.path("size").asLong();
        }
        assertThat(layers.get(0).path("digest").asText()).isNotEqualTo(layers.get(1).path("digest").asText());

        // a fresh repository on the base's registry: base layers mounted, config and app layers uploaded
        long configSize = manifest.path("config").path("size").asLong();
        assertThat(json.path("blobsUploaded").asInt()).as("%s", json).isEqualTo(3);
        assertThat(json.path("bytesUploaded").asLong()).isEqualTo(appBytes + configSize);
        assertThat(json.path("blobsMounted").asInt()).isEqualTo(2);
        assertThat(json.path("blobsSkipped").isIntegralNumber()).isTrue();
        assertThat(json.path("blobsSkipped").asInt()).isZero();
        assertThat(json.path("requests").isIntegralNumber()).isTrue();
        assertThat(json.path("requests").asLong()).as("requests counted by kiln vs. the registry's access log %s", log)
                .isEqualTo(log.size());
        assertThat(json.path("bytesDownloaded").isIntegralNumber()).isTrue();
        assertThat(json.path("bytesDownloaded").asLong()).as("manifest and config of the base, no layers")
                .isPositive().isLessThan(base.totalLayerBytes());
        for (Descriptor layer : base.layers()) {
            assertThat(Cli.blobGets(log, layer.digest())).as("a mounted base layer is never downloaded").isEmpty();
        }
        assertThat(json.path("durationMs").isIntegralNumber()).isTrue();
        assertThat(json.path("durationMs").asLong()).isNotNegative();
        assertThat(json.has("duration")).as("the Duration is replaced by durationMs").isFalse();
        List<String> steps = json.path("steps").findValues("step").stream().map(JsonNode::asText).toList();
        assertThat(steps).contains("resolve base", "layer 1/2", "layer 2/2", "config", "publish");
        assertThat(json.path("steps")).allSatisfy(step -> {
            assertThat(step.path("durationMs").isIntegralNumber()).as("%s", step).isTrue();
            assertThat(step.path("durationMs").asLong()).isNotNegative();
        });

        JsonNode config = json(Skopeo.inspectConfig(target, false, null)).path("config");
        assertThat(texts(config.path("Env"))).containsExactly("PATH=/usr/bin:/bin", "FLINK_HOME=/opt/flink", "A=1");
        assertThat(config.path("Labels").path("team").asText()).isEqualTo("data");
        assertThat(config.path("ExposedPorts").has("8081/tcp")).as("%s", config).isTrue();
        assertThat(texts(config.path("Entrypoint"))).containsExactly("/docker-entrypoint.sh");
        assertThat(texts(config.path("Cmd"))).containsExactly("help");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/opt/flink");
        assertThat(config.path("User").asText()).isEqualTo("9999");
        assertThat(manifest.path("annotations").path("org.opencontainers.image.base.digest").asText())
                .isEqualTo(base.digest().toString());
    }

    @Test
    void configOptionsReplaceWhatTheBaseSays() throws IOException {
        TestImages.Pushed base = pushBase();
        String target = freshTarget();

        ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64", "--add", jar() + ":/srv/job.jar",
                "--env", "FLINK_HOME=/flink", "--env", "EMPTY=", "--label", "expr=a=b", "--expose", "9249/udp", "--expose", "6123",
                "--entrypoint", "[\"/bin/entry\", \"two words\"]", "--workdir", "/srv", "--user", "flink:flink",
                "--to", target, "--quiet"));

        JsonNode config = json(Skopeo.inspectConfig(target, false, null)).path("config");
        assertThat(texts(config.path("Env"))).as("a variable of the base is replaced in place")
                .containsExactly("PATH=/usr/bin:/bin", "FLINK_HOME=/flink", "EMPTY=");
        assertThat(config.path("Labels").path("expr").asText()).as("the first '=' splits").isEqualTo("a=b");
        assertThat(config.path("ExposedPorts").has("8081/tcp")).as("the base's port stays").isTrue();
        assertThat(config.path("ExposedPorts").has("9249/udp")).isTrue();
        assertThat(config.path("ExposedPorts").has("6123/tcp")).isTrue();
        assertThat(texts(config.path("Entrypoint"))).as("a JSON array is not split on spaces")
                .containsExactly("/bin/entry", "two words");
        assertThat(config.has("Cmd") && !config.get("Cmd").isNull() && !config.get("Cmd").isEmpty())
                .as("a new entrypoint without --cmd drops the base's Cmd (as Docker does): %s", config).isFalse();
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/srv");
        assertThat(config.path("User").asText()).isEqualTo("flink:flink");

        String words = freshTarget();
        ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64", "--cmd", "run  -d --x", "--to", words, "--quiet"));
        JsonNode wordsConfig = json(Skopeo.inspectConfig(words, false, null)).path("config");
        assertThat(texts(wordsConfig.path("Cmd"))).as("shell words split on white space").containsExactly("run", "-d", "--x");
        assertThat(texts(wordsConfig.path("Entrypoint"))).as("inherited").containsExactly("/docker-entrypoint.sh");
    }

    @Test
    void humanBuildPrintsTheImageOnStdoutStepsOnStderrAndARebuildReusesAndUploadsNothing() throws IOException {
        TestImages.Pushed base = pushBase();
        String target = freshTarget();
        List<String> args = flinkBuild(base, target);

        Cli.Result first = ok(args);
        List<String> out = first.out().lines().toList();
        assertThat(out).as("%s", first).isNotEmpty();
        assertThat(out.get(0)).matches(java.util.regex.Pattern.quote(target) + "@" + DIGEST);
        String image = out.get(0);
        assertThat(first.out()).contains("2 layers added, blobs").contains("3 uploaded").contains("2 mounted");
        assertThat(first.err()).contains("resolve base " + base.ref())
                .contains("cache miss " + base.ref())
                .contains("layer 1/2 ").contains("layer 2/2 ")
                .contains("layer 1/2 done in ").contains("layer 2/2 done in ")
                .contains("config ").contains("config done in ")
                .contains("publish " + target).contains("publish done in ")
                .contains("cache mount ")
                .contains("uploaded sha256:")
                .doesNotContain("kiln: error");
        assertThat(first.errLines()).allSatisfy(line -> assertThat(line).matches("\\[ *\\d+\\.\\d\\ds] .*"));
        assertThat(digestOf(image)).isEqualTo(Skopeo.run("inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                "docker://" + target).strip());

        long mark = REGISTRY.registry().mark();
        Cli.Result second = ok(args);
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);
        assertThat(second.out().lines().findFirst()).as("a reproducible build: the same digest").hasValue(image);
        assertThat(second.out()).as("a no-op adds nothing").contains("2 layers reused, blobs").doesNotContain("added")
                .contains("0 uploaded");
        assertThat(second.err()).contains("cache hit " + base.ref())
                .contains("reusing layer")
                .contains("done in ").contains(": reused ")
                .contains("cache unchanged " + target)
                .doesNotContain("uploaded sha256:")
                .doesNotContain("cache miss");
        assertThat(blobWrites(log)).as("blob uploads of an identical rebuild, in %s", log).isEmpty();
        assertThat(log).as("no manifest is pushed either").noneMatch(e -> e.method().equals("PUT"));
        assertThat(log).as("nothing is downloaded").noneMatch(e -> e.method().equals("GET") && e.path().contains("/blobs/"));

        Cli.Result quiet = ok(with(args, "-q"));
        assertThat(quiet.out()).as("-q: exactly the result line").isEqualTo(image + "\n");
        assertThat(quiet.err()).as("-q: no step log").isEmpty();
    }

    @Test
    void aChangedJarRebuildsOnlyItsLayerAndUploadsOnlyItAndTheConfig() throws IOException {
        TestImages.Pushed base = pushBase();
        String target = freshTarget();
        List<String> args = flinkBuild(base, target);
        JsonNode first = ok(with(args, "--json")).json();

        Files.writeString(work.resolve("job.jar"), "a new release of the job");
        long mark = REGISTRY.registry().mark();
        JsonNode second = ok(with(args, "--json")).json();
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        assertThat(second.path("digest").asText()).isNotEqualTo(first.path("digest").asText());
        assertThat(second.path("layers").get(0).path("cached").asBoolean()).as("conf/ is unchanged").isTrue();
        assertThat(second.path("layers").get(0).path("digest").asText()).isEqualTo(first.path("layers").get(0).path("digest").asText());
        assertThat(second.path("layers").get(1).path("cached").asBoolean()).isFalse();
        assertThat(second.path("blobsUploaded").asInt()).as("the jar's layer and the config: %s", second).isEqualTo(2);
        assertThat(second.path("blobsMounted").asInt()).isZero();
        assertThat(second.path("blobsSkipped").asInt()).isEqualTo(3);
        String jarLayer = second.path("layers").get(1).path("digest").asText();
        assertThat(blobWrites(log)).as("uploads in %s", log).isNotEmpty()
                .allSatisfy(e -> assertThat(e.method()).isIn("POST", "PUT", "PATCH"))
                .anyMatch(e -> e.path().contains(jarLayer));
        assertThat(blobWrites(log)).noneMatch(e -> e.path().contains(first.path("layers").get(0).path("digest").asText()));
    }

    @Test
    void ociLayoutAndDockerArchiveTargets() throws IOException {
        TestImages.Pushed base = pushBase();
        Path layout = work.resolve("layout");
        Cli.Result oci = ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64",
                "--add", jar() + ":/opt/flink/usrlib/job.jar", "--to", "oci:" + layout + ":v1", "--json"));
        JsonNode ociJson = oci.json();
        assertThat(ociJson.path("image").asText()).isEqualTo("oci:" + layout + ":v1");
        JsonNode index = json(Files.readString(layout.resolve("index.json")));
        assertThat(index.path("manifests")).hasSize(1);
        JsonNode entry = index.path("manifests").get(0);
        assertThat(entry.path("annotations").path("org.opencontainers.image.ref.name").asText()).isEqualTo("v1");
        assertThat(entry.path("digest").asText()).isEqualTo(ociJson.path("digest").asText());
        JsonNode manifest = json(Skopeo.run("inspect", "--raw", "oci:" + layout + ":v1"));
        assertThat(manifest.path("layers")).hasSize(3);
        for (JsonNode layer : manifest.path("layers")) {
            String hex = layer.path("digest").asText().substring("sha256:".length());
            assertThat(layout.resolve("blobs/sha256/" + hex)).as("every layer, the base's included, is in the layout")
                    .isRegularFile().hasSize(layer.path("size").asLong());
        }
        assertThat(ociJson.path("blobsUploaded").asInt()).isZero();

        Path tar = work.resolve("image.tar");
        Cli.Result archive = ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64",
                "--add", jar() + ":/opt/flink/usrlib/job.jar", "--to", "tar:" + tar, "--tag", "jobs/x:1"));
        assertThat(archive.out().lines().findFirst()).as("the summary names the image with its digest")
                .hasValue("tar:" + tar + "@" + ociJson.path("digest").asText());
        Cli.Result ociHuman = ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64",
                "--add", jar() + ":/opt/flink/usrlib/job.jar", "--to", "oci:" + layout + ":v1"));
        assertThat(ociHuman.out().lines().findFirst()).as("the oci: summary shows the digest")
                .hasValue("oci:" + layout + ":v1@" + ociJson.path("digest").asText());
        assertThat(tar).isRegularFile();
        JsonNode inspected = json(Skopeo.run("inspect", "docker-archive:" + tar));
        assertThat(inspected.path("Layers")).hasSize(3);
        assertThat(texts(inspected.path("Env"))).contains("FLINK_HOME=/opt/flink");
        JsonNode tarManifest = json(tarEntry(tar, "manifest.json"));
        assertThat(texts(tarManifest.get(0).path("RepoTags"))).as("--tag names the image for docker load")
                .containsExactly("jobs/x:1");
        assertThat(ociJson.path("digest").asText()).as("the same image whatever the target")
                .isEqualTo(digestOf(Skopeo.run("inspect", "--format", "{{.Digest}}", "oci:" + layout + ":v1").strip()));
    }

    @Test
    void zstdCompressionGivesZstdLayerMediaTypes() throws IOException {
        TestImages.Pushed base = pushBase();
        String target = freshTarget();
        JsonNode json = ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64",
                "--add", conf() + "/:/opt/flink/conf/", "--add", jar() + ":/opt/flink/usrlib/job.jar",
                "--compression", "zstd", "--to", target, "--json")).json();

        JsonNode layers = json(Skopeo.inspectRaw(target, false, null)).path("layers");
        assertThat(layers).hasSize(4);
        List<String> types = layers.findValues("mediaType").stream().map(JsonNode::asText).toList();
        assertThat(types.subList(0, 2)).as("the base's layers are as they were").allSatisfy(t -> assertThat(t).endsWith("+gzip"));
        assertThat(types.subList(2, 4)).allSatisfy(t -> assertThat(t).endsWith("+zstd"));
        assertThat(layers.get(3).path("digest").asText()).isEqualTo(json.path("layers").get(1).path("digest").asText());
        // zstd frames start with the magic number 28 b5 2f fd
        String hex = json.path("layers").get(1).path("digest").asText().substring("sha256:".length());
        byte[] blob = Files.readAllBytes(Cli.blobsDir(cache).resolve(hex));
        assertThat(Arrays.copyOf(blob, 4)).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
    }

    @Test
    void chownAndPerAddOwnersSetTheOwnersOfTheUnpackedFiles() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "umoci unpack keeps owners only as root");
        TestImages.Pushed base = pushBase();
        Path conf = conf();
        Path jar = jar();
        Path extra = Files.writeString(work.resolve("extra.txt"), "extra");
        // source files owned by someone else: a layer never records the source's owner
        for (Path p : List.of(conf, conf.resolve("flink-conf.yaml"), jar, extra)) {
            Files.setAttribute(p, "unix:uid", 4242);
            Files.setAttribute(p, "unix:gid", 4343);
        }
        String target = freshTarget();
        ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64", "--chown", "1000:1000",
                "--add", conf + "/:/opt/flink/conf/", "--add", jar + ":/opt/flink/usrlib/job.jar:5:6",
                "--to", target, "--quiet"));
        Path rootfs = unpack(target);
        assertOwner(rootfs.resolve("opt/flink/conf/flink-conf.yaml"), 1000, 1000);
        assertOwner(rootfs.resolve("opt/flink/conf/log4j.properties"), 1000, 1000);
        assertOwner(rootfs.resolve("opt/flink/usrlib/job.jar"), 5, 6);
        // destinations and their parents are not entries of the layer: the runtime creates them as root
        assertOwner(rootfs.resolve("opt/flink/conf"), 0, 0);
        assertOwner(rootfs.resolve("opt/flink/usrlib"), 0, 0);
        assertThat(rootfs.resolve("opt/flink/usrlib/job.jar")).hasSameBinaryContentAs(jar);
        assertThat(rootfs.resolve("opt/flink/conf/flink-conf.yaml")).hasSameTextualContentAs(conf.resolve("flink-conf.yaml"));

        String defaults = freshTarget();
        ok(List.of("build", "--from", base.ref(), "--platform", "linux/amd64", "--add", extra + ":/opt/extra/",
                "--to", defaults, "--quiet"));
        Path defaultRootfs = unpack(defaults);
        assertOwner(defaultRootfs.resolve("opt/extra/extra.txt"), 0, 0);
    }

    private Path unpack(String target) {
        Path layout = work.resolve("unpack-" + Math.abs(target.hashCode()));
        Skopeo.copy("docker://" + target, "oci:" + layout + ":t", "--src-tls-verify=false");
        Path bundle = work.resolve("bundle-" + Math.abs(target.hashCode()));
        run("umoci", "unpack", "--image", layout + ":t", bundle.toString());
        return bundle.resolve("rootfs");
    }

    private static void assertOwner(Path file, int uid, int gid) throws IOException {
        assertThat(file).exists();
        assertThat(Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("uid of %s", file).isEqualTo(uid);
        assertThat(Files.getAttribute(file, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("gid of %s", file).isEqualTo(gid);
    }

    @Test
    void missingFromOrToIsAUsageError() {
        String target = freshTarget();
        Cli.Result noFrom = Cli.run(cache, "build", "--to", target);
        assertThat(noFrom.exitCode()).as("%s", noFrom).isEqualTo(2);
        assertThat(noFrom.out()).isEmpty();
        assertThat(noFrom.err()).contains("--from").doesNotContain("\tat ").doesNotContain("Exception");

        Cli.Result noTo = Cli.run(cache, "build", "--from", "scratch");
        assertThat(noTo.exitCode()).as("%s", noTo).isEqualTo(2);
        assertThat(noTo.out()).isEmpty();
        assertThat(noTo.err()).contains("--to").doesNotContain("\tat ").doesNotContain("Exception");
    }

    /** Runs a build that must fail before it reaches the registry; returns its one error line. */
    private String usageError(String... args) {
        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.run(cache, args);
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("requests of a usage error").isEmpty();
        return result.errorLines().get(0);
    }

    @Test
    void invalidOptionsAreUsageErrorsWithOneLineNamingTheProblem() throws IOException {
        String target = freshTarget();
        Path jar = jar();
        String add = jar + ":/opt/job.jar";

        assertThat(usageError("build", "--from", "scratch", "--add", jar + ":relative/path", "--to", target))
                .contains("relative/path").contains("absolute");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--env", "NOEQUALS", "--to", target))
                .contains("--env").contains("NOEQUALS").contains("NAME=VALUE");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--label", "=x", "--to", target))
                .contains("--label");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--chown", "abc", "--to", target))
                .contains("--chown").contains("abc");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--compression", "lz4", "--to", target))
                .contains("lz4").contains("gzip").contains("zstd");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--entrypoint", "[not json", "--to", target))
                .contains("--entrypoint").contains("JSON");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--cmd", "[\"a\"", "--to", target))
                .contains("--cmd");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--to", "Jobs/Bad:1"))
                .contains("Jobs/Bad:1");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--to", "oci:"))
                .contains("oci:");
        assertThat(usageError("build", "--from", "Flink:1", "--add", add, "--to", target))
                .contains("Flink:1");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--policy", "sometimes", "--to", target))
                .contains("sometimes");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--expose", "abc", "--to", target))
                .contains("invalid port 'abc'");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--expose", "70000", "--to", target))
                .contains("invalid port '70000'");
    }

    @Test
    void ownersOutOfRangeAreUsageErrors() throws IOException {
        String target = freshTarget();
        Path jar = jar();
        assertThat(usageError("build", "--from", "scratch", "--add", jar + ":/opt/job.jar", "--chown", "99999999999:1", "--to", target))
                .contains("99999999999");
        assertThat(usageError("build", "--from", "scratch", "--add", jar + ":/opt/job.jar:1:99999999999", "--to", target))
                .contains("99999999999");
    }

    @Test
    void execFormsThatAreNotArraysOfStringsAreUsageErrors() throws IOException {
        String target = freshTarget();
        String add = jar() + ":/opt/job.jar";
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--entrypoint", "[\"/bin/sh\"] -c", "--to", target))
                .as("trailing text after the array").contains("--entrypoint");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--entrypoint", "[\"/bin/sh\", [\"-c\"]]", "--to", target))
                .as("a nested array").contains("--entrypoint");
        assertThat(usageError("build", "--from", "scratch", "--add", add, "--cmd", "[{\"a\": 1}]", "--to", target))
                .as("an object").contains("--cmd");
    }

    @Test
    void missingSourceFailsNamingIt() {
        Path missing = work.resolve("nonexistent");
        String target = freshTarget();
        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.run(cache, "build", "--from", "scratch", "--add", missing + ":/x", "--to", target);
        assertThat(result.exitCode()).as("%s", result).isNotZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.errorLines().get(0)).contains(missing.toString()).contains("does not exist");
        assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(blobWrites(REGISTRY.registry().requestsSince(mark))).isEmpty();
    }

    @Test
    void unreachableTargetRegistryFailsNamingIt() throws IOException {
        Cli.Result result = Cli.run(cache, "build", "--from", "scratch", "--platform", "linux/amd64",
                "--add", jar() + ":/opt/job.jar", "--to", "127.0.0.1:1/x:1", "--json");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.out()).as("no JSON document for a failure").isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.errorLines().get(0)).contains("127.0.0.1:1");
        assertThat(result.err()).doesNotContain("\tat ");
    }

    @Test
    void helpBuildListsEveryOption() {
        Cli.Result help = Cli.run("help", "build");
        assertThat(help.exitCode()).as("%s", help).isZero();
        assertThat(help.out()).contains("Usage: kiln build");
        List<String> expected = List.of("--from", "--add", "--chown", "--env", "--entrypoint", "--cmd", "--workdir", "--user",
                "--label", "--expose", "--platform", "--policy", "--max-age", "--compression", "--to", "--tag",
                "--cache-dir", "--insecure-registry", "--ca-file", "--docker-config", "--json", "--quiet");
        assertThat(expected).allSatisfy(option -> assertThat(help.out()).contains(option));
        List<OptionSpec> options = new CommandLine(new KilnCommand()).getSubcommands().get("build").getCommandSpec().options();
        assertThat(options).isNotEmpty().allSatisfy(option -> assertThat(help.out()).contains(option.longestName()));
        assertThat(options).allSatisfy(option -> assertThat(option.description()).as("%s", option.longestName()).isNotEmpty());
        assertThat(help.out()).contains("SRC:DEST[:UID:GID]").contains("oci:DIR[:TAG]").contains("tar:FILE");
    }

    /** The content of one entry of a tar file. */
    private static String tarEntry(Path tar, String name) throws IOException {
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = entries.getNextTarEntry()) != null; ) {
                if (e.getName().equals(name)) {
                    return new String(entries.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(name + " not in " + tar);
    }

    /** Runs a program, failing the test with its output on a non-zero exit. */
    private static void run(String... command) {
        try {
            Path output = Files.createTempFile("kiln-build-test-", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("timed out: " + String.join(" ", command));
                }
                assertThat(process.exitValue()).as("%s:\n%s", String.join(" ", command), Files.readString(output)).isZero();
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The digest of {@code name@sha256:…}, or the text itself when it is a digest. */
    private static String digestOf(String text) {
        int at = text.lastIndexOf('@');
        return at < 0 ? text : text.substring(at + 1);
    }
}
