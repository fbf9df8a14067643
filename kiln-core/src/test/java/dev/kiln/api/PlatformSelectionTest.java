package dev.kiln.api;

import dev.kiln.error.PlatformNotFoundException;
import dev.kiln.image.Platform;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.Skopeo;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Records are per platform: the right image is chosen from an index, and another platform is never served. */
class PlatformSelectionTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(7);
    private static final List<Platform> PLATFORMS = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"),
            Platform.parse("linux/arm/v7"));
    private static TestImages.PushedIndex index;
    private static TestImages.Pushed armOnly;

    @TempDir
    Path cacheDir;

    @BeforeAll
    static void pushImages() {
        TestImages images = REGISTRY.images();
        index = REGISTRY.images().pushIndex("multi/flink:1.18", PLATFORMS, 30_000, 20_000);
        armOnly = REGISTRY.images().push("single/arm:1", Platform.parse("linux/arm64"), 10_000);
    }


    private Kiln kiln() {
        return TestKilns.kiln(cacheDir);
    }

    @Test
    void testImagesAreValidForSkopeo() throws Exception {
        String raw = Skopeo.inspectRaw("docker://" + index.reference(), false, null);
        assertThat(raw).isEqualTo(new String(index.index().bytes(), java.nio.charset.StandardCharsets.UTF_8));
        String config = Skopeo.run("inspect", "--tls-verify=false", "--override-arch", "arm64",
                "docker://" + index.reference());
        assertThat(config).contains("\"Architecture\": \"arm64\"")
                .contains(index.images().get("linux/arm64").layers().get(0).digest().toString())
                .contains(index.images().get("linux/arm64").layers().get(1).digest().toString());
    }

    @Test
    void choosesEachRequestedPlatformFromTheIndex() {
        try (Kiln kiln = kiln()) {
            for (Platform platform : PLATFORMS) {
                PullResult result = kiln.pull(PullRequest.builder(index.reference().toString()).platform(platform.toString()).build());
                assertThat(result.digest()).isEqualTo(index.images().get(platform.toString()).digest().toString());
                assertThat(result.indexDigest()).isEqualTo(index.index().digest().toString());
                assertThat(result.platform()).isEqualTo(platform.toString());
            }
            assertThat(kiln.cachedImages()).extracting(CachedImage::platform)
                    .containsExactlyInAnyOrder("linux/amd64", "linux/arm64", "linux/arm/v7");
        }
    }

    @Test
    void aliasesOfAPlatformSelectTheSameImage() {
        try (Kiln kiln = kiln()) {
            String arm64 = kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/arm64/v8").build()).digest();
            String aarch64 = kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/aarch64").build()).digest();
            assertThat(arm64).isEqualTo(aarch64).isEqualTo(index.images().get("linux/arm64").digest().toString());
        }
    }

    @Test
    void anotherPlatformOfACachedIndexFetchesOnlyThatPlatform() {
        try (Kiln kiln = kiln()) {
            kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/amd64").build());
            long mark = REGISTRY.registry().mark();
            kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/arm64").build());
            TestImages.Pushed arm = index.images().get("linux/arm64");
            List<String> expected = new java.util.ArrayList<>();
            expected.add("/v2/multi/flink/manifests/" + arm.digest());
            expected.add("/v2/multi/flink/blobs/" + arm.config().digest());
            arm.layers().forEach(l -> expected.add("/v2/multi/flink/blobs/" + l.digest()));
            assertThat(REGISTRY.registry().requestsSince(mark)).extracting(AccessLogEntry::path).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void anAbsentPlatformIsAClearErrorNamingWhatExists() {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/s390x").build()))
                    .isInstanceOf(PlatformNotFoundException.class)
                    .hasMessageContaining("linux/s390x")
                    .hasMessageContaining("linux/amd64, linux/arm64, linux/arm/v7")
                    .hasMessageNotContaining("unknown");
        }
    }

    @Test
    void attestationEntriesAreNeverServedAsImages() {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(index.reference().toString()).platform("linux/ppc64le").build()))
                    .isInstanceOf(PlatformNotFoundException.class);
            assertThat(kiln.cachedImages()).extracting(CachedImage::digest).doesNotContain(index.attestation().digest().toString());
        }
    }

    @Test
    void aSinglePlatformImageOfAnotherPlatformIsRefused() {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(armOnly.reference().toString()).platform("linux/amd64").build()))
                    .isInstanceOf(PlatformNotFoundException.class)
                    .hasMessageContaining("linux/arm64 only")
                    .hasMessageContaining("requested linux/amd64");
            assertThat(kiln.cachedImages()).isEmpty();
            PullResult arm = kiln.pull(PullRequest.builder(armOnly.reference().toString()).platform("linux/arm64").build());
            assertThat(arm.digest()).isEqualTo(armOnly.digest().toString());
            long mark = REGISTRY.registry().mark();
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(armOnly.reference().toString()).platform("linux/amd64").build()))
                    .isInstanceOf(PlatformNotFoundException.class);
            assertThat(REGISTRY.registry().requestsSince(mark)).as("decided from the cached config").isEmpty();
        }
    }
}
