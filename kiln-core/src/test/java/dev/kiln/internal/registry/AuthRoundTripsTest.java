package dev.kiln.internal.registry;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.Kiln;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import dev.kiln.testing.TokenServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips that authentication costs a build, counted at the real registry (its access log) and
 * at its token server: a job built onto a base in another repository of the same registry, as a
 * platform builds (base pulled, job blobs uploaded in parallel, base layers mounted). A new
 * {@link Kiln} on the same cache stands for a new process.
 */
class AuthRoundTripsTest {
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path tmp;

    @Test
    void aTokenRegistryIsAskedForOneTokenPerKilnCoveringTheBuildsEveryScope() throws IOException {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            TestImages.Pushed base = new TestImages(registry, 71).push("private/base:1", AMD64, 30_000, 20_000, 10_000);
            String target = registry.hostPort() + "/private/app:1";
            TokenServer tokens = registry.tokenServer();
            try (Kiln kiln = kiln(registry)) {
                int scopesBefore = tokens.requestedScopes().size();
                Counts cold = counts(registry, tokens, () -> kiln.build(job(base, 1, target)));
                assertThat(cold.tokens()).as("cold build: base pulled, 4 job blobs uploaded in parallel, 3 base layers mounted")
                        .isEqualTo(1);
                assertThat(tokens.requestedScopes().subList(scopesBefore, tokens.requestedScopes().size()))
                        .containsExactly("repository:private/base:pull", "repository:private/app:pull,push");
                assertThat(cold.unauthorized()).as("the first request, which learns the challenge").hasSize(1);
                assertThat(cold.log().get(0).status()).isEqualTo(401);

                Counts warm = counts(registry, tokens, () -> kiln.build(job(base, 2, target)));
                assertThat(warm.tokens()).as("warm rebuild in the same Kiln, within the token's lifetime").isZero();
                assertThat(warm.unauthorized()).isEmpty();
            }
            try (Kiln kiln = kiln(registry)) {
                Counts rebuild = counts(registry, tokens, () -> kiln.build(job(base, 3, target)));
                assertThat(rebuild.tokens()).as("warm rebuild in a new Kiln (a new process)").isEqualTo(1);
                assertThat(rebuild.unauthorized()).hasSize(1);
            }
        }
    }

    @Test
    void aBasicChallengeIsAnsweredUpFrontOnceLearned() throws IOException {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed base = new TestImages(registry, 72).push("private/base:1", AMD64, 30_000, 20_000, 10_000);
            String target = registry.hostPort() + "/private/app:1";
            try (Kiln kiln = kiln(registry)) {
                Counts cold = counts(registry, null, () -> kiln.build(job(base, 1, target)));
                assertThat(cold.unauthorized()).as("cold build: the first request only")
                        .containsExactly(new AccessLogEntry("GET", "/v2/private/base/manifests/1", 401));
                assertThat(cold.log().get(0).status()).isEqualTo(401);
                assertThat(counts(registry, null, () -> kiln.build(job(base, 2, target))).unauthorized())
                        .as("warm rebuild in the same Kiln").isEmpty();
            }
            try (Kiln kiln = kiln(registry)) {
                assertThat(counts(registry, null, () -> kiln.build(job(base, 3, target))).unauthorized())
                        .as("warm rebuild in a new Kiln: the first request only")
                        .containsExactly(new AccessLogEntry("HEAD", "/v2/private/app/manifests/1", 401));
            }
        }
    }

    /** What one build cost: the registry's requests, in order, and the token server's. */
    private record Counts(List<AccessLogEntry> log, int tokens) {
        List<AccessLogEntry> unauthorized() {
            return log.stream().filter(e -> e.status() == 401).toList();
        }
    }

    private interface Build {
        void run() throws IOException;
    }

    /** {@code tokens}: the registry's token server, or null for a Basic registry. */
    private static Counts counts(RegistryFixture registry, TokenServer tokens, Build build) throws IOException {
        int tokensBefore = tokens == null ? 0 : tokens.tokenRequests();
        long mark = registry.mark();
        build.run();
        return new Counts(registry.requestsSince(mark), tokens == null ? 0 : tokens.tokenRequests() - tokensBefore);
    }

    private Kiln kiln(RegistryFixture registry) {
        return TestKilns.builder(tmp.resolve("cache")).credential(registry.hostPort(), registry.username(), registry.password()).build();
    }

    private BuildRequest job(TestImages.Pushed base, int version, String target) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("job-" + version));
        Path jar = Files.writeString(dir.resolve("job.jar"), "job version " + version);
        Path conf = Files.writeString(dir.resolve("flink-conf.yaml"), "parallelism.default: " + version);
        Path lib = Files.writeString(dir.resolve("lib.jar"), "library " + version);
        return BuildRequest.from(base.ref()).add(conf, "/opt/flink/conf/flink-conf.yaml").add(lib, "/opt/flink/lib/lib.jar")
                .add(jar, "/opt/flink/usrlib/job.jar").to(target).build();
    }
}
