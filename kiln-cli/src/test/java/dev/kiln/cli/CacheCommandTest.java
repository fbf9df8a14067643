package dev.kiln.cli;

import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln cache ls|rm|prune} on a store filled by real pulls. */
class CacheCommandTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(23);
    private static final Platform AMD64 = Platform.parse("linux/amd64");

    @TempDir
    Path cache;



    private TestImages.Pushed pulled() {
        TestImages.Pushed image = REGISTRY.images().push(REGISTRY.freshRepository("cli/cache") + ":1", AMD64, 60_000, 90_000);
        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");
        return image;
    }

    private static List<String> blobHexes(TestImages.Pushed image) {
        List<String> hexes = new ArrayList<>(List.of(image.digest().hex(), image.config().digest().hex()));
        image.layers().stream().map(Descriptor::digest).forEach(d -> hexes.add(d.hex()));
        return hexes;
    }

    private JsonNode ls() {
        return Cli.ok(cache, "cache", "ls", "--json").json();
    }

    @Test
    void lsListsThePulledImageWithPlatformDigestAndSize() throws java.io.IOException {
        java.nio.file.Files.createDirectories(cache.resolve("store"));   // a store with nothing in it yet
        JsonNode empty = ls();
        assertThat(empty.path("images")).as("%s", empty).isEmpty();
        assertThat(empty.path("images").isArray()).isTrue();

        TestImages.Pushed image = pulled();
        JsonNode json = ls();
        assertThat(json.path("storeDir").asText()).isEqualTo(cache.resolve("store").toString());
        assertThat(json.path("images")).hasSize(1);
        JsonNode entry = json.path("images").get(0);
        assertThat(entry.path("reference").asText()).isEqualTo(image.ref());
        assertThat(entry.path("platform").asText()).isEqualTo("linux/amd64");
        assertThat(entry.path("digest").asText()).isEqualTo(image.digest().toString());
        assertThat(entry.path("size").asLong()).as("manifest + config + layers").isEqualTo(image.totalBytes());
        assertThat(entry.path("size").asLong()).as("what the blobs take on disk")
                .isEqualTo(Cli.totalSize(Cli.allFiles(Cli.blobsDir(cache))));
        assertThat(entry.path("lastUsed").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(entry.path("fetchedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        Cli.Result human = Cli.ok(cache, "cache", "ls");
        assertThat(human.out().lines().toList()).hasSize(2);
        assertThat(human.out()).contains("REFERENCE").contains(image.ref()).contains("linux/amd64")
                .contains(image.digest().toString().substring(0, 19));
    }

    @Test
    void rmRemovesTheImageAndItsBlobs() {
        TestImages.Pushed image = pulled();
        assertThat(Cli.blobFiles(cache)).containsExactlyInAnyOrderElementsOf(blobHexes(image));

        Cli.Result rm = Cli.ok(cache, "cache", "rm", image.ref(), "--json");
        JsonNode json = rm.json();
        assertThat(json.path("removed")).hasSize(1);
        assertThat(json.path("removed").get(0).path("reference").asText()).isEqualTo(image.ref());
        assertThat(json.path("blobsRemoved").asInt()).isEqualTo(4);
        assertThat(json.path("bytesFreed").asLong()).isEqualTo(image.totalBytes());
        assertThat(json.path("dryRun").asBoolean()).isFalse();

        assertThat(Cli.files(Cli.blobsDir(cache))).as("store/blobs/sha256 after rm").isEmpty();
        assertThat(ls().path("images")).isEmpty();

        long mark = REGISTRY.registry().mark();
        JsonNode again = Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--json").json();
        assertThat(again.path("source").asText()).as("after rm the image is pulled again").isEqualTo(REGISTRY.registry().hostPort());
        assertThat(Cli.blobGets(REGISTRY.registry().requestsSince(mark), image.layers().get(0).digest())).hasSize(1);
    }

    @Test
    void rmKeepsTheBlobsOfOtherImagesAndPrintsWhatItRemoved() {
        TestImages.Pushed gone = pulled();
        TestImages.Pushed kept = pulled();

        Cli.Result rm = Cli.ok(cache, "cache", "rm", gone.ref());
        assertThat(rm.out()).contains("removed " + gone.ref() + " (linux/amd64)").contains("removed 4 blobs");
        assertThat(Cli.blobFiles(cache)).containsExactlyInAnyOrderElementsOf(blobHexes(kept));
        assertThat(ls().path("images")).hasSize(1);
        assertThat(ls().path("images").get(0).path("reference").asText()).isEqualTo(kept.ref());
    }

    @Test
    void rmOfAnImageNotInTheStoreFailsWithAClearMessage() {
        TestImages.Pushed image = pulled();
        List<String> before = Cli.blobFiles(cache);

        String unknown = REGISTRY.registry().hostPort() + "/cli/never-pulled:1";
        Cli.Result rm = Cli.run(cache, "cache", "rm", unknown);
        assertThat(rm.exitCode()).as("%s", rm).isNotZero();
        assertThat(rm.out()).isEmpty();
        assertThat(rm.errLines()).as("%s", rm).hasSize(1);
        assertThat(rm.errLines().get(0)).startsWith("kiln: error: ").contains(unknown).contains("not in the local store");
        assertThat(Cli.blobFiles(cache)).isEqualTo(before);
        assertThat(ls().path("images").get(0).path("reference").asText()).isEqualTo(image.ref());
    }

    @Test
    void pruneDryRunListsWhatItWouldRemoveAndRemovesNothing() {
        TestImages.Pushed first = pulled();
        TestImages.Pushed second = pulled();
        List<String> before = Cli.blobFiles(cache);

        Cli.Result human = Cli.ok(cache, "cache", "prune", "--max-size", "1", "--dry-run");
        assertThat(human.out()).contains("would remove " + first.ref()).contains("would remove " + second.ref())
                .contains("would remove 8 blobs").doesNotContain("removed ");

        JsonNode json = Cli.ok(cache, "cache", "prune", "--max-size", "1", "--dry-run", "--json").json();
        assertThat(json.path("dryRun").asBoolean()).isTrue();
        assertThat(json.path("removed")).hasSize(2);
        assertThat(json.path("blobsRemoved").asInt()).isEqualTo(8);
        assertThat(json.path("bytesFreed").asLong()).isEqualTo(first.totalBytes() + second.totalBytes());

        assertThat(Cli.blobFiles(cache)).as("blobs after a dry run").isEqualTo(before);
        assertThat(ls().path("images")).hasSize(2);
    }

    @Test
    void pruneMaxAgeZeroRemovesEverything() {
        TestImages.Pushed first = pulled();
        TestImages.Pushed second = pulled();

        JsonNode json = Cli.ok(cache, "cache", "prune", "--max-age", "0s", "--json").json();
        assertThat(json.path("dryRun").asBoolean()).isFalse();
        assertThat(json.path("removed")).hasSize(2);
        assertThat(json.path("blobsRemoved").asInt()).isEqualTo(8);
        assertThat(json.path("bytesFreed").isIntegralNumber()).isTrue();
        assertThat(json.path("bytesFreed").asLong()).isEqualTo(first.totalBytes() + second.totalBytes());
        assertThat(json.path("bytesAfter").asLong()).isZero();
        assertThat(Cli.files(Cli.blobsDir(cache))).isEmpty();
        assertThat(ls().path("images")).isEmpty();
    }

    @Test
    void pruneMaxSizeDropsTheLeastRecentlyUsedImageFirst() {
        TestImages.Pushed a = pulled();
        TestImages.Pushed b = pulled();
        // use a again: b is now the least recently used
        Cli.ok(cache, "pull", a.ref(), "--platform", "linux/amd64", "--quiet");

        Cli.Result prune = Cli.ok(cache, "cache", "prune", "--max-size", String.valueOf(a.totalBytes()));
        assertThat(prune.out()).contains("removed " + b.ref()).doesNotContain("removed " + a.ref());
        assertThat(Cli.blobFiles(cache)).containsExactlyInAnyOrderElementsOf(blobHexes(a));
        assertThat(ls().path("images")).hasSize(1);
        assertThat(ls().path("images").get(0).path("reference").asText()).isEqualTo(a.ref());

        Cli.Result nothing = Cli.ok(cache, "cache", "prune", "--max-size", "1GB", "--json");
        assertThat(nothing.json().path("removed")).isEmpty();
        assertThat(nothing.json().path("bytesFreed").asLong()).isZero();
        assertThat(Cli.blobFiles(cache)).containsExactlyInAnyOrderElementsOf(blobHexes(a));
    }

    @Test
    void pruneWatermarksAndKeepLast() {
        TestImages.Pushed a = pulled();
        TestImages.Pushed b = pulled();
        long total = a.totalBytes() + b.totalBytes();

        Cli.Result notAbove = Cli.ok(cache, "cache", "prune", "--max-size", String.valueOf(total), "--low-watermark", "1", "--json");
        assertThat(notAbove.json().path("removed")).as("not above the high watermark").isEmpty();
        Cli.Result above = Cli.ok(cache, "cache", "prune", "--max-size", String.valueOf(total - 1), "--low-watermark",
                String.valueOf(b.totalBytes()), "--json");
        assertThat(above.json().path("removed")).hasSize(1);
        assertThat(above.json().path("removed").get(0).path("reference").asText()).isEqualTo(a.ref());

        Cli.Result badWatermark = Cli.run(cache, "cache", "prune", "--max-size", "1MB", "--low-watermark", "2MB");
        assertThat(badWatermark.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(badWatermark.errorLines()).singleElement().asString().contains("low watermark");
        Cli.Result keepLast = Cli.ok(cache, "cache", "prune", "--keep-last", "1", "--json");
        assertThat(keepLast.json().path("removed")).as("one digest per repository is kept").isEmpty();
    }

    @Test
    void refreshAsksOnceForEachTagAndPullsOnlyWhatMoved() {
        TestImages.Pushed stays = pulled();
        TestImages.Pushed moves = pulled();
        String repo = moves.ref().substring(0, moves.ref().lastIndexOf(':'));
        TestImages.Pushed moved = REGISTRY.images().push(repo.substring(REGISTRY.registry().hostPort().length() + 1) + ":1", AMD64, 70_000);

        long mark = REGISTRY.registry().mark();
        JsonNode json = Cli.ok(cache, "cache", "refresh", "--json").json();
        List<AccessLogEntry> log = REGISTRY.registry().requestsSince(mark);

        assertThat(json.path("images")).hasSize(2);
        for (JsonNode image : json.path("images")) {
            boolean isMoved = image.path("reference").asText().equals(moves.ref());
            assertThat(image.path("moved").asBoolean()).isEqualTo(isMoved);
            assertThat(image.path("digest").asText()).isEqualTo((isMoved ? moved : stays).digest().toString());
            assertThat(image.path("previousDigest").asText()).isEqualTo((isMoved ? moves : stays).digest().toString());
        }
        assertThat(log.stream().filter(e -> e.method().equals("HEAD") && e.path().contains("/manifests/"))).hasSize(2);
        assertThat(log.stream().filter(e -> e.method().equals("GET") && e.path().contains("/blobs/")))
                .as("only the moved image's new blobs").hasSize(moved.layers().size() + 1);

        Cli.Result human = Cli.ok(cache, "cache", "refresh", stays.ref());
        assertThat(human.out()).contains(stays.ref() + " (linux/amd64) unchanged sha256:");
        Cli.Result notCached = Cli.run(cache, "cache", "refresh", REGISTRY.registry().hostPort() + "/never/pulled:1");
        assertThat(notCached.exitCode()).isEqualTo(KilnCommand.USAGE);
    }

    @Test
    void pruneWithAnInvalidSizeOrDurationIsAUsageError() {
        pulled();
        List<String> before = Cli.blobFiles(cache);
        Cli.Result size = Cli.run(cache, "cache", "prune", "--max-size", "lots");
        assertThat(size.exitCode()).as("%s", size).isEqualTo(2);
        assertThat(size.errLines()).hasSize(1);
        assertThat(size.errLines().get(0)).contains("invalid size 'lots'");
        Cli.Result age = Cli.run(cache, "cache", "prune", "--max-age", "soon");
        assertThat(age.exitCode()).as("%s", age).isEqualTo(2);
        assertThat(age.errLines()).hasSize(1);
        assertThat(age.errLines().get(0)).contains("invalid duration 'soon'");
        assertThat(Cli.blobFiles(cache)).isEqualTo(before);
    }

    @Test
    void verifyRehashesEveryBlobRemovesACorruptOneAndReportsDanglingReferences() throws Exception {
        TestImages.Pushed image = pulled();
        JsonNode clean = Cli.ok(cache, "cache", "verify", "--json").json();
        assertThat(clean.path("ok").asBoolean()).isTrue();
        assertThat(clean.path("blobsChecked").asInt()).isEqualTo(4);
        assertThat(clean.path("bytesChecked").asLong()).isEqualTo(image.totalBytes());

        // a layer changed on disk behind Kiln's back (same size, one byte flipped)
        Path layer = cache.resolve("store/blobs/sha256/" + image.layers().get(0).digest().hex());
        layer.toFile().setWritable(true);
        byte[] bytes = java.nio.file.Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 1;
        java.nio.file.Files.write(layer, bytes);
        Cli.Result quiet = Cli.run(cache, "cache", "verify", "-q");
        assertThat(quiet.exitCode()).as("the exit code says it: %s", quiet).isEqualTo(KilnCommand.FAILURE);
        assertThat(quiet.out()).as("-q: a command without a result line prints nothing").isEmpty();
        layer.toFile().setWritable(true);
        java.nio.file.Files.write(layer, bytes);
        Cli.Result corrupt = Cli.run(cache, "cache", "verify");
        assertThat(corrupt.exitCode()).as(corrupt.toString()).isEqualTo(KilnCommand.FAILURE);
        assertThat(corrupt.out()).contains("1 corrupt").contains("corrupt (removed): " + image.layers().get(0).digest());
        assertThat(layer).doesNotExist();
        assertThat(Cli.ok(cache, "cache", "verify", "--json").json().path("layersNotFetched").asInt())
                .as("a missing layer is allowed: the next pull fetches it").isEqualTo(1);

        // the image's config gone: the record dangles
        java.nio.file.Files.delete(cache.resolve("store/blobs/sha256/" + image.config().digest().hex()));
        Cli.Result dangling = Cli.run(cache, "cache", "verify", "--json");
        assertThat(dangling.exitCode()).isEqualTo(KilnCommand.FAILURE);
        assertThat(dangling.json().path("danglingReferences").get(0).asText()).contains("config " + image.config().digest());

        Cli.ok(cache, "pull", image.ref(), "--platform", "linux/amd64", "--quiet");
        assertThat(Cli.ok(cache, "cache", "verify", "--json").json().path("ok").asBoolean()).as("a pull repairs it").isTrue();
    }
}
