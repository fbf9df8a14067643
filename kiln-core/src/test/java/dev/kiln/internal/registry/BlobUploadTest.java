package dev.kiln.internal.registry;

import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Digest;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
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
    void byDefaultEvenABlobOfHundredsOfMegabytesGoesInOneRequest(@TempDir Path tmp) throws Exception {
        // larger than the 64 MiB chunks Kiln once cut blobs into, read from a file as the store's are
        Path file = tmp.resolve("layer");
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = random(1 << 20);
            for (int i = 0; i < 80; i++) {
                block[i] = (byte) i;   // no two blocks alike
                sha256.update(block);
                out.write(block);
            }
        }
        Digest digest = Digest.fromSha256(sha256.digest());
        try (RegistryFixture registry = RegistryFixture.plain()) {
            RegistryClient client = new RegistryClient(new RegistryTransport(RegistryOptions.defaults(), CredentialProvider.none()),
                    new Telemetry(null));
            long mark = registry.mark();
            client.uploadBlob(registry.hostPort(), "up/base", digest, Files.size(file), () -> {
                try {
                    return Files.newInputStream(file);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(registry.requestsSince(mark)).extracting(AccessLogEntry::method).containsExactly("POST", "PUT");
            assertThat(client.blobExists(registry.hostPort(), "up/base", digest, RegistryClient.pullScope("up/base"))).isTrue();
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
