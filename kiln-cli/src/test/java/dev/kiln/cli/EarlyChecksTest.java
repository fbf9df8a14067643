package dev.kiln.cli;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.Destination;
import dev.kiln.api.Kiln;
import dev.kiln.api.PullRequest;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Check before you fetch: every local input and output, and every contradiction between options, is an
 * error in the command line (exit 2, one line naming it) found before the first request, leaving no
 * record in the store; in the Java API the same checks run in the requests' {@code build()} and at the
 * runner's start. What fails after work began exits 1.
 */
class EarlyChecksTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(131);
    private static TestImages.Pushed base;

    @TempDir
    Path cache;

    @TempDir
    Path work;

    @BeforeAll
    static void pushBase() {
        base = REGISTRY.images().push("early/base:1", Platform.host(), 50_000);
    }

    /** Runs kiln and asserts a usage error: exit 2, one line (the error and the help hint at most), no request, no record. */
    private Cli.Result usageError(String... args) {
        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.run(cache, args);
        assertThat(result.exitCode()).as("%s", result).isEqualTo(KilnCommand.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.err()).doesNotContain("\tat ");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("no request before the check").isEmpty();
        assertThat(Cli.allFiles(cache.resolve("store/refs"))).as("no record").isEmpty();
        assertThat(Cli.blobFiles(cache)).as("no blob").isEmpty();
        return result;
    }

    private String target() {
        return REGISTRY.registry().hostPort() + "/early/app:1";
    }

    @Test
    void anAddSourceThatDoesNotExistFailsBeforeTheBaseIsFetched() {
        Path missing = work.resolve("nope");
        Cli.Result result = usageError("build", "--from", base.ref(), "--add", missing + "/:/x", "--to", target());
        assertThat(result.errorLines().get(0)).isEqualTo("kiln: error: --add " + missing + ":/x: " + missing + " does not exist");
    }

    @Test
    void localDestinationsThatCannotBeWrittenFailBeforeTheBaseIsFetched() throws IOException {
        Path file = Files.writeString(work.resolve("a-file"), "x");
        Path job = Files.writeString(work.resolve("job.txt"), "job");
        String add = job + ":/job.txt";

        assertThat(usageError("build", "--from", base.ref(), "--add", add, "--to", "oci:" + file.resolve("layout")).errorLines().get(0))
                .isEqualTo("kiln: error: cannot write --to oci:" + file.resolve("layout") + ":latest: " + file
                        + " is a file, not a directory, so " + file.resolve("layout") + " cannot be created");
        assertThat(usageError("build", "--from", base.ref(), "--add", add, "--to", "oci:" + file).errorLines().get(0))
                .contains(file + " is a file, not a directory");
        assertThat(usageError("build", "--from", base.ref(), "--add", add, "--to", "tar:" + work).errorLines().get(0))
                .isEqualTo("kiln: error: cannot write --to tar:" + work + ": " + work + " is a directory, not a file");
        assertThat(usageError("build", "--from", base.ref(), "--add", add, "--to", "tar:" + work.resolve("missing/x.tar")).errorLines().get(0))
                .contains("directory " + work.resolve("missing") + " does not exist");
        assertThat(file).hasContent("x");
    }

    @Test
    void anOptionThePolicyIgnoresIsAUsageErrorNamingBoth() throws IOException {
        Cli.Result pull = usageError("pull", base.ref(), "--max-age", "5m", "--policy", "always");
        assertThat(pull.errorLines()).containsExactly("kiln: error: --max-age 5m does not apply to --policy always: "
                + "max-age applies only to revalidate and stale-while-revalidate");
        usageError("inspect", base.ref(), "--max-age", "5m", "--policy", "if-not-present");
        Path job = Files.writeString(work.resolve("job.txt"), "job");
        usageError("build", "--from", base.ref(), "--add", job + ":/job.txt", "--to", target(), "--max-age", "1h", "--policy", "never");
        assertThat(usageError("build", "--from", base.ref(), "--add", job + ":/job.txt", "--to", target(), "--tag", "x:1")
                .errorLines().get(0)).contains("--tag x:1").contains("tar:FILE").contains("--to " + target());
        Path dockerfile = Files.writeString(work.resolve("Dockerfile"), "FROM " + base.ref() + "\n");
        assertThat(usageError("build", "-f", dockerfile.toString(), "--chown", "1:1", "--to", target()).errorLines().get(0))
                .contains("--chown 1:1").contains("-f");

        // the policy from the configuration (or KILN_*) never contradicts a flag: revalidate-only max-age is just unused
        Path config = Files.writeString(work.resolve("config.yaml"), "registries:\n  \"*\":\n    policy: always\n");
        Cli.ok(cache, "pull", base.ref(), "--max-age", "5m", "--config", config.toString());
        Cli.ok(cache, "pull", base.ref(), "--max-age", "5m", "--policy", "revalidate");
        Cli.ok(cache, "pull", base.ref(), "--max-age", "5m", "--policy", "stale-while-revalidate");
    }

    @Test
    void aCaFileThatDoesNotExistIsAUsageErrorNamingIt() {
        Path missing = work.resolve("ca.pem");
        String registry = REGISTRY.registry().hostPort();
        assertThat(usageError("pull", base.ref(), "--ca-file", registry + "=" + missing).errorLines())
                .containsExactly("kiln: error: --ca-file " + registry + "=" + missing + ": " + missing + " does not exist");
    }

    @Test
    void pruneLowWatermarkWithoutMaxSizeIsAUsageError() {
        Cli.ok(cache, "pull", base.ref());
        Cli.Result result = Cli.run(cache, "cache", "prune", "--low-watermark", "1GB");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(KilnCommand.USAGE);
        assertThat(result.errorLines()).containsExactly("kiln: error: --low-watermark applies only with --max-size "
                + "(the size above which cleaning starts); give both");
    }

    @Test
    void theJavaApiChecksTheSameBeforeAnyRequest() throws IOException {
        Path file = Files.writeString(work.resolve("a-file"), "x");
        assertThatThrownBy(() -> BuildRequest.from(base.ref()).add(work.resolve("nope"), "/x").to(Destination.registry(target())).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(work.resolve("nope") + " does not exist");
        assertThatThrownBy(() -> PullRequest.builder(base.ref()).policy(PullPolicy.ALWAYS).maxAge(Duration.ofMinutes(5)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--policy always");
        long mark = REGISTRY.registry().mark();
        try (Kiln kiln = Kiln.builder().cacheDir(cache).build()) {
            BuildRequest toAFile = BuildRequest.from(base.ref()).add(file, "/x").to(Destination.ociLayout(file.resolve("out"), null)).build();
            assertThatThrownBy(() -> kiln.build(toAFile)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is a file, not a directory");
        }
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
        assertThat(Cli.allFiles(cache.resolve("store/refs"))).isEmpty();
    }

    @Test
    void anInvalidInputFoundAfterWorkBeganExitsOne() throws IOException {
        Path job = Files.writeString(work.resolve("job.txt"), "job");
        String scratchImage = REGISTRY.registry().hostPort() + "/early/tool:1";
        Cli.ok(cache, "build", "--from", "scratch", "--add", job + ":/job.txt", "--to", scratchImage, "-q");
        Cli.Result rebase = Cli.run(cache, "rebase", scratchImage, "--base", base.ref());
        assertThat(rebase.exitCode()).as("the image had to be read first: %s", rebase).isEqualTo(KilnCommand.FAILURE);
        assertThat(rebase.errorLines()).singleElement().asString().contains("cannot tell which base");
        assertThat(List.of(KilnCommand.OK, KilnCommand.FAILURE, KilnCommand.USAGE)).containsExactly(0, 1, 2);
    }
}
