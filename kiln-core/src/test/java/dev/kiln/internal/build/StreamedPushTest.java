package dev.kiln.internal.build;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.error.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Descriptor;
import dev.kiln.internal.build.BuildSupport.JobSources;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static dev.kiln.internal.build.BuildSupport.blobGets;
import static dev.kiln.internal.build.BuildSupport.kilnBuilder;
import static dev.kiln.internal.build.BuildSupport.layerDigests;
import static dev.kiln.internal.build.BuildSupport.manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cold build's base layers that the target lacks go to the target as they download into the store:
 * one read from the base's registry, none from the store; and bytes that do not match their digest
 * reach neither the store nor the target's tag.
 */
class StreamedPushTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(23);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(24);

    @TempDir
    Path tmp;

    private final List<KilnEvent.CacheDecision> decisions = new CopyOnWriteArrayList<>();

    private Kiln kiln(Path cache, long chunkSize) {
        return kilnBuilder(cache).uploadChunkSize(chunkSize).listener(event -> {
            if (event instanceof KilnEvent.CacheDecision decision) {
                decisions.add(decision);
            }
        }).build();
    }

    private static BuildRequest job(String baseRef, JobSources sources, String target) {
        return BuildRequest.from(baseRef).add(sources.jobJar(), "/opt/flink/usrlib/job.jar").to(target).build();
    }

    @Test
    void coldBuildUploadsEachBaseLayerWhileDownloadingItAndStoresIt() {
        coldBuildStreams(64L << 20);
    }

    @Test
    void chunkedUploadsStreamTooEachChunkTheNextPartOfTheDownload() {
        coldBuildStreams(10_000);   // every base layer in several PATCH requests
    }

    private void coldBuildStreams(long chunkSize) {
        JobSources sources = JobSources.create(tmp.resolve("src"), 61, 20_000);
        String target = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/streamed-") + ":1";
        RegistryFixture base = BASE.registry();
        long mark = base.mark();
        Path cache = tmp.resolve("cache");
        BuildResult result;
        try (Kiln kiln = kiln(cache, chunkSize)) {
            result = kiln.build(job(BASE.flinkBase().ref(), sources, target));
        }
        List<AccessLogEntry> baseLog = base.requestsSince(mark);

        for (Descriptor layer : BASE.flinkBase().layers()) {
            String digest = layer.digest().toString();
            assertThat(decisions).as("layer %s streamed", digest)
                    .anyMatch(d -> d.subject().equals(layer.digest().shortHex()) && d.outcome().equals("stream"));
            assertThat(blobGets(baseLog)).as("one download of %s", digest).containsOnlyOnce(digest);
            assertThat(cache.resolve("store/blobs/sha256/" + layer.digest().hex())).as("stored as it went").hasSize(layer.size());
        }
        assertThat(decisions).as("no layer had to be read back from the store").noneMatch(d -> d.outcome().equals("upload from store"));
        assertThat(result.blobsUploaded()).as("3 base layers, the jar layer, the config").isEqualTo(5);
        assertThat(layerDigests(manifest(target)).subList(0, 3))
                .containsExactlyElementsOf(BASE.flinkBase().layers().stream().map(l -> l.digest().toString()).toList());
        Skopeo.copy("docker://" + target, "dir:" + tmp.resolve("copy"), "--src-tls-verify=false");   // every blob readable
    }

    @Test
    void aStreamedUploadThatFailsIsSentAgainFromTheStoreWithoutDownloadingAgain() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 64, 20_000);
        String path = TARGET.freshRepository("jobs/fallback-") + ":1";
        RegistryFixture base = BASE.registry();
        long mark = base.mark();
        BuildResult result;
        try (FaultProxy proxy = FaultProxy.start(TARGET.registry()); Kiln kiln = kiln(tmp.resolve("cache"), 100_000)) {
            // only the two large base layers go in chunks: the first chunk of one of them is refused once
            proxy.on("PATCH", "/v2/.+/blobs/uploads/.*", 1, FaultProxy.Fault.status(500));
            result = kiln.build(job(BASE.flinkBase().ref(), sources, proxy.hostPort() + "/" + path));
            assertThat(proxy.requests("PATCH", "/v2/.+/blobs/uploads/.*")).filteredOn(r -> r.status() == 500).hasSize(1);
        }

        assertThat(decisions).filteredOn(d -> d.outcome().equals("upload from store")).as("the refused one, from the store").hasSize(1);
        assertThat(result.blobsUploaded()).isEqualTo(5);
        List<AccessLogEntry> baseLog = base.requestsSince(mark);
        for (Descriptor layer : BASE.flinkBase().layers()) {
            assertThat(blobGets(baseLog)).as("one download of %s", layer.digest()).containsOnlyOnce(layer.digest().toString());
        }
        Skopeo.copy("docker://" + TARGET.registry().hostPort() + "/" + path, "dir:" + tmp.resolve("copy"), "--src-tls-verify=false");
    }

    @Test
    void aTargetAskingForTokensGetsTheStreamedUploadsAuthenticatedFromTheFirstRequest() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 63, 20_000);
        try (RegistryFixture registry = RegistryFixture.tokenAuth();
             Kiln kiln = kilnBuilder(tmp.resolve("cache")).uploadChunkSize(10_000)
                     .credential(registry.hostPort(), registry.username(), registry.password())
                     .listener(event -> {
                         if (event instanceof KilnEvent.CacheDecision decision) {
                             decisions.add(decision);
                         }
                     }).build()) {
            BuildResult result = kiln.build(job(BASE.flinkBase().ref(), sources, registry.hostPort() + "/jobs/token:1"));

            assertThat(result.blobsUploaded()).isEqualTo(5);
            for (Descriptor layer : BASE.flinkBase().layers()) {
                assertThat(decisions).anyMatch(d -> d.subject().equals(layer.digest().shortHex()) && d.outcome().equals("stream"));
            }
            assertThat(decisions).as("no upload had to be sent again").noneMatch(d -> d.outcome().equals("upload from store"));
        }
    }

    @Test
    void corruptedBaseLayerFailsTheBuildAndReachesNeitherStoreNorTargetTag() throws Exception {
        JobSources sources = JobSources.create(tmp.resolve("src"), 62, 20_000);
        String repository = TARGET.freshRepository("jobs/corrupt-");
        String target = TARGET.registry().hostPort() + "/" + repository + ":1";
        Descriptor layer = BASE.flinkBase().layers().get(1);
        Path cache = tmp.resolve("cache");
        for (long chunkSize : new long[]{64L << 20, 10_000}) {
            decisions.clear();
            try (FaultProxy proxy = FaultProxy.start(BASE.registry()); Kiln kiln = kiln(cache, chunkSize)) {
                proxy.on("GET", "/v2/.+/blobs/" + layer.digest(), FaultProxy.ALWAYS, FaultProxy.Fault.corruptByteAt(layer.size() / 2));
                String baseRef = proxy.hostPort() + "/" + BASE.flinkBase().reference().repository() + ":" + BASE.flinkBase().reference().tag();

                assertThatThrownBy(() -> kiln.build(job(baseRef, sources, target)))
                        .as("chunks of %d", chunkSize)
                        .isInstanceOf(KilnException.class)
                        .hasMessageContaining(layer.digest().toString());
            }
            assertThat(decisions).as("it was streamed").anyMatch(d -> d.subject().equals(layer.digest().shortHex()) && d.outcome().equals("stream"));
            assertThat(cache.resolve("store/blobs/sha256/" + layer.digest().hex())).as("never committed").doesNotExist();
            try (Stream<Path> ingest = Files.list(cache.resolve("store/ingest"))) {
                assertThat(ingest).as("nothing left in ingest/").isEmpty();
            }
            assertThat(status("HEAD", "/v2/" + repository + "/blobs/" + layer.digest())).as("the target refused the blob").isEqualTo(404);
            assertThat(status("HEAD", "/v2/" + repository + "/manifests/1")).as("no tag").isEqualTo(404);
        }
    }

    private static int status(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + TARGET.registry().hostPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
