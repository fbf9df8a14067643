package dev.kiln.internal.store;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnListener;
import dev.kiln.image.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobStoreTest {
    @TempDir
    Path root;

    private LocalStore store() {
        return LocalStore.open(root, KilnListener.NONE, true);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void contentThatDoesNotMatchItsDigestIsNeverStored() {
        BlobStore blobs = store().blobs();
        byte[] content = random(10_000, 1);
        Digest claimed = Digest.sha256(random(10_000, 2));
        assertThatThrownBy(() -> blobs.ensure(claimed, content.length, w -> w.write(content)))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining(claimed.toString());
        assertThat(blobs.isVerified(claimed)).isFalse();
        assertThat(files(root.resolve("blobs"))).isEmpty();
        assertThat(files(root.resolve("ingest"))).isEmpty();
    }

    @Test
    void truncatedContentIsRejectedBySize() {
        BlobStore blobs = store().blobs();
        byte[] content = random(10_000, 3);
        Digest digest = Digest.sha256(content);
        assertThatThrownBy(() -> blobs.ensure(digest, content.length, w -> w.write(content, 0, 9_000)))
                .isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("9000 bytes, expected 10000");
        assertThat(files(root.resolve("ingest"))).isEmpty();
    }

    @Test
    void aFailingDownloadKeepsItsBytesForTheNextAttemptWhichContinuesFromThem() {
        BlobStore blobs = store().blobs();
        byte[] content = random(100, 4);
        Digest digest = Digest.sha256(content);
        assertThatThrownBy(() -> blobs.ensure(digest, 100, w -> {
            w.write(content, 0, 40);
            throw new IOException("connection reset");
        })).isInstanceOf(StoreException.class).hasMessageContaining("connection reset");
        assertThat(files(root.resolve("ingest"))).containsExactly(root.resolve("ingest").resolve(digest.hex()));
        assertThat(files(root.resolve("blobs"))).isEmpty();
        long[] continuedFrom = {-1};
        assertThat(store().blobs().ensure(digest, 100, w -> {
            continuedFrom[0] = w.written();
            w.write(content, (int) w.written(), 100 - (int) w.written());
        })).isTrue();
        assertThat(continuedFrom[0]).as("where the second attempt continued").isEqualTo(40);
        assertThat(blobs.isVerified(digest)).isTrue();
        assertThat(files(root.resolve("ingest"))).isEmpty();
    }

    @Test
    void keptBytesThatDoNotVerifyAreDiscardedAndTheBlobFetchedAgainFromTheStart() throws IOException {
        byte[] content = random(100, 5);
        Digest digest = Digest.sha256(content);
        Files.createDirectories(root.resolve("ingest"));
        Files.write(root.resolve("ingest").resolve(digest.hex()), new byte[60]);   // not the blob's first 60 bytes
        List<Long> startedAt = new ArrayList<>();
        assertThat(store().blobs().ensure(digest, 100, w -> {
            startedAt.add(w.written());
            w.write(content, (int) w.written(), 100 - (int) w.written());
        })).isTrue();
        assertThat(startedAt).containsExactly(60L, 0L);
        assertThat(store().blobs().isVerified(digest)).isTrue();
        assertThat(files(root.resolve("ingest"))).isEmpty();
    }

    @Test
    void aCompleteButUncommittedDownloadIsCommittedWithoutFetching() throws IOException {
        byte[] content = random(100, 6);
        Digest digest = Digest.sha256(content);
        Files.createDirectories(root.resolve("ingest"));
        Files.write(root.resolve("ingest").resolve(digest.hex()), content);
        assertThat(store().blobs().ensure(digest, 100, w -> {
            throw new AssertionError("nothing to fetch");
        })).isTrue();
        assertThat(store().blobs().isVerified(digest)).isTrue();
    }

    @Test
    void storedBlobsAreReadOnlyVerifiedAndStampedByStat() throws IOException {
        BlobStore blobs = store().blobs();
        byte[] content = random(5_000, 5);
        Digest digest = Digest.sha256(content);
        assertThat(blobs.ensure(digest, content.length, w -> w.write(content))).isTrue();
        assertThat(blobs.ensure(digest, content.length, w -> {
            throw new AssertionError("present blobs are not fetched again");
        })).isFalse();
        Path file = root.resolve("blobs/sha256").resolve(digest.hex());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r--r--");
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        assertThat(root.resolve("verified/sha256").resolve(digest.hex())).exists();
    }

    @Test
    void concurrentEnsuresOfOneBlobFetchItOnce() throws Exception {
        BlobStore blobs = store().blobs();
        byte[] content = random(2_000_000, 6);
        Digest digest = Digest.sha256(content);
        AtomicInteger fills = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return blobs.ensure(digest, content.length, w -> {
                    fills.incrementAndGet();
                    for (int off = 0; off < content.length; off += 100_000) {
                        w.write(content, off, Math.min(100_000, content.length - off));
                    }
                });
            }));
        }
        start.countDown();
        int fetched = 0;
        for (Future<Boolean> result : results) {
            fetched += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(fills.get()).isEqualTo(1);
        assertThat(fetched).isEqualTo(1);
        assertThat(blobs.rehash(digest)).isTrue();
    }

    @Test
    void aBlobChangedOnDiskIsDetectedAndRemoved() throws IOException {
        BlobStore blobs = store().blobs();
        byte[] content = random(5_000, 7);
        Digest digest = Digest.sha256(content);
        blobs.ensure(digest, content.length, w -> w.write(content));
        Path file = root.resolve("blobs/sha256").resolve(digest.hex());
        file.toFile().setWritable(true);
        content[10] ^= 1;
        Files.write(file, content);
        assertThat(blobs.isVerified(digest)).isFalse();
        assertThat(file).doesNotExist();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aFullDiskIsAClearErrorAndLeavesNothingBehind() throws Exception {
        Path mount = root.resolve("small");
        Files.createDirectories(mount);
        Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(process.waitFor() == 0, "needs root to mount a small tmpfs");
        try {
            LocalStore small = LocalStore.open(mount.resolve("store"), KilnListener.NONE, true);
            byte[] content = random(3_000_000, 8);
            Digest digest = Digest.sha256(content);
            assertThatThrownBy(() -> small.blobs().ensure(digest, content.length, w -> {
                for (int off = 0; off < content.length; off += 65_536) {
                    w.write(content, off, Math.min(65_536, content.length - off));
                }
            })).isInstanceOf(StoreException.class)
                    .hasMessageStartingWith("disk full while writing blob " + digest.shortHex())
                    .hasMessageContaining("kiln cache prune");
            assertThat(files(mount.resolve("store/ingest"))).isEmpty();
            assertThat(files(mount.resolve("store/blobs"))).isEmpty();
            byte[] fits = random(100_000, 9);
            assertThat(small.blobs().ensure(Digest.sha256(fits), fits.length, w -> w.write(fits)))
                    .as("the store works again once space is there").isTrue();
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
