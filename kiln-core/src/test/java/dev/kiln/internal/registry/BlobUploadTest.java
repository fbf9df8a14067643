package dev.kiln.internal.registry;

import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Monolithic and chunked blob uploads against a real registry, and mounts between repositories. */
class BlobUploadTest {

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static RegistryClient client(long chunkSize) {
        RegistryOptions options = RegistryOptions.defaults().withUploadChunkSize(chunkSize);
        return new RegistryClient(new RegistryTransport(options, CredentialProvider.none()), new Telemetry(null));
    }

    @Test
    void smallBlobsGoInOneRequestLargeOnesInChunks() throws Exception {
        try (RegistryFixture registry = RegistryFixture.plain()) {
            RegistryClient client = client(256 * 1024);
            byte[] small = random(100_000);
            byte[] large = random(1_000_000);
            Digest smallDigest = Digest.sha256(small);
            Digest largeDigest = Digest.sha256(large);

            long mark = registry.mark();
            client.uploadBlob(registry.hostPort(), "up/app", smallDigest, small.length, () -> new ByteArrayInputStream(small));
            assertThat(registry.requestsSince(mark)).extracting(AccessLogEntry::method).containsExactly("POST", "PUT");

            mark = registry.mark();
            client.uploadBlob(registry.hostPort(), "up/app", largeDigest, large.length, () -> new ByteArrayInputStream(large));
            List<String> methods = registry.requestsSince(mark).stream().map(AccessLogEntry::method).toList();
            assertThat(methods).containsExactly("POST", "PATCH", "PATCH", "PATCH", "PATCH", "PUT");

            assertThat(client.blobExists(registry.hostPort(), "up/app", largeDigest, RegistryClient.pullScope("up/app"))).isTrue();
            try (var stream = client.openBlob(registry.hostPort(), "up/app", largeDigest, 0).body()) {
                assertThat(Digest.sha256(stream.readAllBytes())).isEqualTo(largeDigest);
            }
        }
    }

    @Test
    void aBlobIsMountedFromAnotherRepositoryWithoutTransfer() {
        try (RegistryFixture registry = RegistryFixture.plain()) {
            RegistryClient client = client(RegistryOptions.DEFAULT_UPLOAD_CHUNK_SIZE);
            byte[] blob = random(50_000);
            Digest digest = Digest.sha256(blob);
            client.uploadBlob(registry.hostPort(), "base/flink", digest, blob.length, () -> new ByteArrayInputStream(blob));

            long mark = registry.mark();
            assertThat(client.mountBlob(registry.hostPort(), "jobs/orders", digest, "base/flink")).isTrue();
            assertThat(registry.requestsSince(mark)).containsExactly(new AccessLogEntry("POST",
                    "/v2/jobs/orders/blobs/uploads/?mount=" + digest + "&from=base/flink", 201));
            assertThat(client.blobExists(registry.hostPort(), "jobs/orders", digest, RegistryClient.pullScope("jobs/orders"))).isTrue();

            Digest absent = Digest.sha256(random(10));
            assertThat(client.mountBlob(registry.hostPort(), "jobs/orders", absent, "base/flink")).isFalse();
        }
    }
}
