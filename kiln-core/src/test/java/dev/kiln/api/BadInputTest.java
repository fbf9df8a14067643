package dev.kiln.api;

import dev.kiln.error.ImageNotFoundException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.image.Platform;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input gets a one-line error that says what to do, and leaves nothing in the store. */
class BadInputTest {
    @TempDir
    Path cacheDir;

    private Kiln kiln() {
        return TestKilns.kiln(cacheDir);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "' flink:1.18'|surrounding whitespace",
            "'Flink:1.18'|must be lowercase",
            "'flink:'|invalid tag",
            "'flink@sha256:abc'|invalid sha256 digest",
            "'a//b'|invalid repository path component"})
    void malformedReferencesAreRejectedBeforeAnyRequest(String image, String message) {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(image)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(message)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void unknownPlatformIsRejected() {
        try (Kiln kiln = kiln()) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder("flink:1.18").platform("linux/z80").build()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("unknown platform 'linux/z80'");
        }
    }

    @Test
    void missingTagOrRepositoryIsImageNotFound() {
        try (RegistryFixture registry = RegistryFixture.plain(); Kiln kiln = kiln()) {
            new TestImages(registry, 5).push("present/app:1", Platform.parse("linux/amd64"), 1_000);
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(registry.hostPort() + "/present/app:2")))
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessage("image not found: " + registry.hostPort() + "/present/app:2 (the registry has no such repository or tag)");
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(registry.hostPort() + "/absent/app:1")))
                    .isInstanceOf(ImageNotFoundException.class);
            assertThat(cacheDir.resolve("store/blobs")).doesNotExist();
            assertThat(kiln.cachedImages()).isEmpty();
        }
    }

    @Test
    void unreachableRegistryNamesTheRegistry() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (Kiln kiln = kiln()) {
            String registry = "127.0.0.1:" + closedPort;
            assertThatThrownBy(() -> kiln.pull(PullRequest.of(registry + "/app:1")))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining("cannot reach registry " + registry)
                    .hasMessageContaining("connection refused");
        }
        assertThat(Files.exists(cacheDir.resolve("store/blobs"))).isFalse();
    }

    @Test
    void unwritableCacheDirectoryIsAClearError() throws Exception {
        Path file = cacheDir.resolve("not-a-directory");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> Kiln.builder().cacheDir(file).build())
                .hasMessageContaining("creating the store at " + file.resolve("store"));
    }
}
