package dev.kiln.api;

import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code cache ls/rm/prune}: least recently used first, by age and by size, never a blob a kept image needs. */
class CacheCleanupTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(11);
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static TestImages.Pushed a;
    private static TestImages.Pushed b;
    private static TestImages.Pushed c;

    @TempDir
    Path cacheDir;
    private final MutableClock clock = new MutableClock();

    @BeforeAll
    static void pushImages() {
        TestImages images = REGISTRY.images();
        a = REGISTRY.images().push("cleanup/a:1", AMD64, 100_000, 50_000);
        b = REGISTRY.images().push("cleanup/b:1", AMD64, 120_000);
        c = REGISTRY.images().push("cleanup/c:1", AMD64, 80_000, 10_000);
    }


    private Kiln kiln() {
        return TestKilns.builder(cacheDir).clock(clock).build();
    }

    private void pullAt(Kiln kiln, TestImages.Pushed image, Duration later) {
        clock.advance(later);
        kiln.pull(PullRequest.of(image.reference().toString()));
    }

    @Test
    void listShowsEachImageWithItsSize() {
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            CachedImage listed = kiln.cachedImages().get(0);
            assertThat(listed.reference()).isEqualTo(a.reference().toString());
            assertThat(listed.platform()).isEqualTo("linux/amd64");
            assertThat(listed.digest()).isEqualTo(a.digest().toString());
            assertThat(listed.size()).isEqualTo(a.totalLayerBytes() + a.config().size() + a.manifest().bytes().length);
            assertThat(listed.source()).as("fetched from its registry").isEqualTo(REGISTRY.registry().hostPort());
            kiln.pull(PullRequest.builder(a.reference().toString()).policy(PullPolicy.IF_NOT_PRESENT).build());
            assertThat(kiln.cachedImages().get(0).source()).as("a use the store served keeps where it came from")
                    .isEqualTo(REGISTRY.registry().hostPort());
        }
    }

    @Test
    void pruneByAgeDropsImagesUnusedForLongerAndTheirBlobs() {
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            pullAt(kiln, b, Duration.ofHours(2));
            clock.advance(Duration.ofMinutes(1));
            PruneResult result = kiln.prune(PruneRequest.builder().maxAge(Duration.ofHours(1)).build());
            assertThat(result.removed()).extracting(CachedImage::reference).containsExactly(a.reference().toString());
            assertThat(result.bytesFreed()).isEqualTo(a.totalLayerBytes() + a.config().size() + a.manifest().bytes().length);
            assertThat(blobNames()).doesNotContainAnyElementsOf(digests(a)).containsAll(digests(b));
            long mark = REGISTRY.registry().mark();
            kiln.pull(PullRequest.builder(b.reference().toString()).policy(PullPolicy.NEVER).build());
            assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
        }
    }

    @Test
    void pruneBySizeRemovesLeastRecentlyUsedFirst() {
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            pullAt(kiln, b, Duration.ofMinutes(1));
            pullAt(kiln, c, Duration.ofMinutes(1));
            pullAt(kiln, a, Duration.ofMinutes(1)); // a is now the most recently used
            long sizeAandC = kiln.cachedImages().stream().filter(i -> !i.reference().equals(b.reference().toString()))
                    .mapToLong(CachedImage::size).sum();

            PruneResult dryRun = kiln.prune(PruneRequest.builder().maxSize(sizeAandC).dryRun(true).build());
            assertThat(dryRun.removed()).extracting(CachedImage::reference).containsExactly(b.reference().toString());
            assertThat(dryRun.dryRun()).isTrue();
            assertThat(blobNames()).containsAll(digests(b));

            PruneResult real = kiln.prune(PruneRequest.builder().maxSize(sizeAandC).build());
            assertThat(real.removed()).extracting(CachedImage::reference).containsExactly(b.reference().toString());
            assertThat(real.bytesAfter()).isEqualTo(sizeAandC).isEqualTo(dryRun.bytesAfter());
            assertThat(blobNames()).doesNotContainAnyElementsOf(digests(b)).containsAll(digests(a)).containsAll(digests(c));

            PruneResult toZero = kiln.prune(PruneRequest.builder().maxSize(0L).build());
            assertThat(toZero.removed()).extracting(CachedImage::reference)
                    .containsExactly(c.reference().toString(), a.reference().toString());
            assertThat(blobNames()).isEmpty();
            assertThat(kiln.cachedImages()).isEmpty();
        }
    }

    @Test
    void removingOneReferenceKeepsBlobsAnotherStillUses() {
        String pinned = a.reference().name() + "@" + a.digest();
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            kiln.pull(PullRequest.of(pinned));
            PruneResult removed = kiln.removeCached(a.reference().toString());
            assertThat(removed.removed()).extracting(CachedImage::reference).containsExactly(a.reference().toString());
            assertThat(removed.blobsRemoved()).isZero();
            assertThat(blobNames()).containsAll(digests(a));
            assertThat(kiln.cachedImages()).extracting(CachedImage::reference).containsExactly(pinned);
            assertThatThrownBy(() -> kiln.removeCached(a.reference().toString()))
                    .hasMessageContaining("not in the local store");
        }
    }

    @Test
    void pruneRemovesPartialDownloadsOlderThanTheirAgeAndKeepsYoungerOnes() throws Exception {
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            Path stale = cacheDir.resolve("store/ingest").resolve("0".repeat(64));
            Path young = cacheDir.resolve("store/ingest").resolve("1".repeat(64));
            Files.createDirectories(stale.getParent());
            Files.write(stale, new byte[1000]);
            Files.write(young, new byte[1000]);
            Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(clock.instant().minus(Duration.ofHours(25))));
            Files.setLastModifiedTime(young, java.nio.file.attribute.FileTime.from(clock.instant()));
            kiln.prune(PruneRequest.unreferencedOnly());
            assertThat(stale).as("untouched for 25 h, beyond the default 24 h").doesNotExist();
            assertThat(young).as("kept for the next pull to continue").exists();
            kiln.prune(PruneRequest.builder().partialMaxAge(Duration.ZERO).build());
            assertThat(young).doesNotExist();
            assertThat(blobNames()).containsAll(digests(a));
        }
    }

    private static long size(TestImages.Pushed image) {
        return image.totalLayerBytes() + image.config().size() + image.manifest().bytes().length;
    }

    @Test
    void aboveTheHighWatermarkTheStoreIsCleanedDownToTheLowOne() {
        try (Kiln kiln = kiln()) {
            pullAt(kiln, a, Duration.ZERO);
            pullAt(kiln, b, Duration.ofMinutes(1));
            pullAt(kiln, c, Duration.ofMinutes(2));
            long total = size(a) + size(b) + size(c);

            PruneResult below = kiln.prune(PruneRequest.builder().maxSize(total, size(c)).build());
            assertThat(below.removed()).as("not above the high watermark: nothing to do").isEmpty();

            PruneResult above = kiln.prune(PruneRequest.builder().maxSize(total - 1, size(c)).build());
            assertThat(above.removed()).extracting(CachedImage::reference)
                    .containsExactly(a.reference().toString(), b.reference().toString());
            assertThat(above.bytesAfter()).isEqualTo(size(c));
            assertThat(blobNames()).containsAll(digests(c)).doesNotContainAnyElementsOf(digests(a));
        }
    }

    @Test
    void keepLastKeepsTheMostRecentlyUsedDigestsOfEachRepository() {
        TestImages.Pushed v1 = REGISTRY.images().push("cleanup/keep:1", AMD64, 10_000);
        TestImages.Pushed v2 = REGISTRY.images().push("cleanup/keep:2", AMD64, 10_000);
        TestImages.Pushed v3 = REGISTRY.images().push("cleanup/keep:3", AMD64, 10_000);
        try (Kiln kiln = kiln()) {
            pullAt(kiln, v1, Duration.ZERO);
            pullAt(kiln, a, Duration.ofMinutes(1));
            pullAt(kiln, v2, Duration.ofMinutes(2));
            pullAt(kiln, v3, Duration.ofMinutes(3));

            PruneResult dry = kiln.prune(PruneRequest.builder().keepLast(2).dryRun(true).build());
            assertThat(dry.removed()).extracting(CachedImage::reference).containsExactly(v1.reference().toString());
            assertThat(blobNames()).as("a dry run removes nothing").containsAll(digests(v1));

            PruneResult result = kiln.prune(PruneRequest.builder().keepLast(2).build());
            assertThat(result.removed()).extracting(CachedImage::reference).containsExactly(v1.reference().toString());
            assertThat(kiln.cachedImages()).extracting(CachedImage::reference)
                    .containsExactlyInAnyOrder(a.reference().toString(), v2.reference().toString(), v3.reference().toString());
            assertThatThrownBy(() -> kiln.prune(PruneRequest.builder().keepLast(0).build()))
                    .isInstanceOf(dev.kiln.error.InvalidInputException.class).hasMessageContaining("at least 1");
        }
    }

    @Test
    void aStoreLimitCleansAfterThePullThatCrossesIt() {
        java.util.List<dev.kiln.event.KilnEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Kiln kiln = TestKilns.builder(cacheDir).clock(clock)
                .listener(events::add).storeLimit(size(a) + size(b), size(c)).build()) {
            pullAt(kiln, a, Duration.ZERO);
            pullAt(kiln, b, Duration.ofMinutes(1));
            assertThat(kiln.cachedImages()).as("within the limit").hasSize(2);

            pullAt(kiln, c, Duration.ofMinutes(2));

            assertThat(kiln.cachedImages()).extracting(CachedImage::reference).containsExactly(c.reference().toString());
            assertThat(events).filteredOn(e -> e instanceof dev.kiln.event.KilnEvent.CacheDecision d && d.outcome().equals("pruned"))
                    .hasSize(1);
        }
    }

    @Test
    void aStoreLimitNeverWaitsForAnotherUserOfTheStore() {
        java.util.List<dev.kiln.event.KilnEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Kiln kiln = TestKilns.builder(cacheDir).clock(clock)
                .listener(events::add).storeLimit(1, 0).build();
             dev.kiln.internal.store.Lease otherBuild = dev.kiln.internal.store.LocalStore.open(cacheDir.resolve("store"), dev.kiln.event.KilnListener.NONE, true).lease()) {
            pullAt(kiln, a, Duration.ZERO);

            assertThat(kiln.cachedImages()).as("leased: kept").hasSize(1);
            assertThat(events).filteredOn(e -> e instanceof dev.kiln.event.KilnEvent.Warning w && w.message().contains("cleaned later"))
                    .hasSize(1);
        }
    }

    private Set<String> blobNames() {
        Path dir = cacheDir.resolve("store/blobs/sha256");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> "sha256:" + p.getFileName()).collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> digests(TestImages.Pushed image) {
        Set<String> all = new java.util.HashSet<>();
        all.add(image.digest().toString());
        all.add(image.config().digest().toString());
        image.layers().forEach(l -> all.add(l.digest().toString()));
        return all;
    }
}
