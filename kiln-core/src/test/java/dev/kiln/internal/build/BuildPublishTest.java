package dev.kiln.internal.build;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.internal.build.BuildSupport.JobSources;
import dev.kiln.error.KilnException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.FaultProxy;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.kiln.internal.build.BuildSupport.blobGets;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.layerDigests;
import static dev.kiln.internal.build.BuildSupport.manifest;
import static dev.kiln.internal.build.BuildSupport.rawManifest;
import static dev.kiln.internal.build.BuildSupport.uploadedDigests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a build publishes to a registry: base layers are never downloaded when the target has them,
 * mounted when the base lives in another repository of the same registry, and a push that fails
 * half-way leaves the tag where it was.
 */
class BuildPublishTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(21);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(22);


    @TempDir
    Path tmp;


    private static BuildRequest.Builder job(String baseRef, JobSources sources, String target) {
        return BuildRequest.from(baseRef)
                .add(sources.conf(), "/opt/flink/conf/")
                .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                .env("JOB_NAME", "payments")
                .to(target);
    }

    @Test
    void emptyCacheAndATargetHoldingTheBaseLayersDownloadsNoBaseLayer() {
        JobSources sources = JobSources.create(tmp.resolve("src"), 31, 40_000);
        String repo = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/lazy-");
        try (Kiln kiln = kiln(tmp.resolve("ci-runner-1"))) {
            kiln.build(job(BASE.flinkBase().ref(), sources, repo + ":1").build()); // the target now holds the base's layers
        }

        sources.newJar(32, 40_000);
        RegistryFixture baseRegistry = BASE.registry();
        long baseMark = baseRegistry.mark();
        Path emptyCache = tmp.resolve("ci-runner-2");
        BuildResult result;
        try (Kiln kiln = kiln(emptyCache)) {
            result = kiln.build(job(BASE.flinkBase().ref(), sources, repo + ":2").build());
        }
        List<AccessLogEntry> baseLog = baseRegistry.requestsSince(baseMark);

        assertThat(blobGets(baseLog)).as("the base's config only, never a layer")
                .containsExactly(BASE.flinkBase().configDescriptor().digest().toString());
        assertThat(baseLog).as("only manifest and config reads")
                .allMatch(e -> (e.method().equals("GET") || e.method().equals("HEAD"))
                        && (e.path().contains("/manifests/") || e.path().endsWith(BASE.flinkBase().configDescriptor().digest().toString())));
        for (Descriptor layer : BASE.flinkBase().layers()) {
            assertThat(baseLog).noneMatch(e -> e.path().contains(layer.digest().toString()));
            assertThat(emptyCache.resolve("store/blobs/sha256/" + layer.digest().hex())).as("not in the new cache").doesNotExist();
        }
        assertThat(result.bytesDownloaded()).as("manifest and config, not %d bytes of layers", BASE.flinkBase().totalLayerBytes())
                .isLessThanOrEqualTo(BASE.flinkBase().manifest().bytes().length + BASE.flinkBase().config().length);
        assertThat(result.blobsUploaded()).as("the new jar layer and the new config").isEqualTo(2);
        assertThat(result.blobsSkipped()).as("3 base layers and the (identical) conf layer").isEqualTo(4);

        // the image is complete: every blob can be read from the target
        Path copy = tmp.resolve("copy");
        Skopeo.copy("docker://" + repo + ":2", "dir:" + copy, "--src-tls-verify=false");
        for (String digest : layerDigests(manifest(repo + ":2"))) {
            assertThat(copy.resolve(digest.substring("sha256:".length()))).exists();
        }
    }

    @Test
    void baseInAnotherRepositoryOfTheTargetRegistryIsMountedNotUploaded() {
        RegistryFixture registry = TARGET.registry();
        FlinkBase localBase = FlinkBase.push(registry, TARGET.freshRepository("mirror/flink-") + ":1.18");
        JobSources sources = JobSources.create(tmp.resolve("src"), 41, 30_000);
        String targetRepository = TARGET.freshRepository("jobs/mounted-");
        String target = registry.hostPort() + "/" + targetRepository + ":1";

        long mark = registry.mark();
        BuildResult result;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            result = kiln.build(job(localBase.ref(), sources, target).build());
        }
        List<AccessLogEntry> log = registry.requestsSince(mark);

        assertThat(result.blobsMounted()).isEqualTo(localBase.layers().size());
        assertThat(result.bytesMounted()).isEqualTo(localBase.totalLayerBytes());
        assertThat(result.blobsUploaded()).as("conf layer, jar layer, config").isEqualTo(3);
        String baseRepository = localBase.reference().repository();
        for (Descriptor layer : localBase.layers()) {
            String digest = layer.digest().toString();
            assertThat(log).as("mount of %s", digest).filteredOn(e -> e.method().equals("POST"))
                    .filteredOn(e -> BuildSupport.decoded(e).contains("mount=" + digest))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.status()).isEqualTo(201);
                        assertThat(BuildSupport.decoded(e)).startsWith("/v2/" + targetRepository + "/blobs/uploads/")
                                .contains("from=" + baseRepository);
                    });
            assertThat(blobGets(log)).as("a mount needs no content").doesNotContain(digest);
        }
        assertThat(uploadedDigests(log)).as("no base layer uploaded")
                .doesNotContainAnyElementsOf(localBase.layers().stream().map(l -> l.digest().toString()).toList())
                .hasSize(3);
        assertThat(layerDigests(manifest(target)).subList(0, 3))
                .containsExactlyElementsOf(localBase.layers().stream().map(l -> l.digest().toString()).toList());
        // the mounted blobs are really in the target repository
        Skopeo.copy("docker://" + target, "dir:" + tmp.resolve("copy"), "--src-tls-verify=false");
    }

    @Test
    void pushFailingHalfWayLeavesTheTagOnThePreviousImage() {
        RegistryFixture registry = TARGET.registry();
        String path = TARGET.freshRepository("jobs/interrupted-") + ":stable";
        JobSources sources = JobSources.create(tmp.resolve("src"), 51, 30_000);
        Path cache = tmp.resolve("cache");
        BuildResult v1;
        try (Kiln kiln = kiln(cache)) {
            v1 = kiln.build(job(BASE.flinkBase().ref(), sources, registry.hostPort() + "/" + path).build());
        }
        String v1Manifest = rawManifest(registry.hostPort() + "/" + path);
        assertThat(BuildSupport.sha256(v1Manifest).toString()).isEqualTo(v1.digest());

        sources.newJar(52, 30_000);
        try (FaultProxy proxy = FaultProxy.start(registry); Kiln kiln = kiln(cache)) {
            proxy.on("PUT", "/v2/.+/blobs/uploads/.*", FaultProxy.ALWAYS, FaultProxy.Fault.status(500));
            String viaProxy = proxy.hostPort() + "/" + path;

            assertThatThrownBy(() -> kiln.build(job(BASE.flinkBase().ref(), sources, viaProxy).build()))
                    .isInstanceOf(KilnException.class)
                    .hasMessageContaining(proxy.hostPort())
                    .hasMessageContaining("500")
                    .hasMessageNotContaining("\n");
            assertThat(proxy.requests("PUT", "/v2/.+/blobs/uploads/.*")).as("the upload was tried").isNotEmpty();
            assertThat(proxy.requests("PUT", "/v2/.+/manifests/.+")).as("no manifest after a failed blob").isEmpty();
            assertThat(rawManifest(registry.hostPort() + "/" + path)).as("the tag still names v1").isEqualTo(v1Manifest);

            // once the registry behaves, the same build (same cache) goes through
            proxy.clearRules();
            BuildResult v2 = kiln.build(job(BASE.flinkBase().ref(), sources, viaProxy).build());
            assertThat(v2.digest()).isNotEqualTo(v1.digest());
            assertThat(BuildSupport.sha256(rawManifest(registry.hostPort() + "/" + path)).toString()).isEqualTo(v2.digest());
        }
    }

    @Test
    void concurrentBuildsOnOneKilnDownloadEachBaseLayerOnce() throws Exception {
        FlinkBase sharedBase = FlinkBase.push(BASE.registry(), BASE.freshRepository("flink/shared-") + ":1.18");
        JobSources orders = JobSources.create(tmp.resolve("orders"), 81, 20_000);
        JobSources payments = JobSources.create(tmp.resolve("payments"), 82, 20_000);
        String ordersTarget = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/orders-") + ":1";
        String paymentsTarget = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/payments-") + ":1";
        long baseMark = BASE.registry().mark();
        List<BuildResult> results;
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                var first = threads.submit(() -> {
                    start.await();
                    return kiln.build(job(sharedBase.ref(), orders, ordersTarget).build());
                });
                var second = threads.submit(() -> {
                    start.await();
                    return kiln.build(job(sharedBase.ref(), payments, paymentsTarget).build());
                });
                results = List.of(first.get(60, TimeUnit.SECONDS),
                        second.get(60, TimeUnit.SECONDS));
            } finally {
                threads.shutdownNow();
            }
        }
        List<String> gets = blobGets(BASE.registry().requestsSince(baseMark));
        for (Descriptor layer : sharedBase.layers()) {
            assertThat(gets).as("GETs of base layer %s", layer.digest()).containsOnlyOnce(layer.digest().toString());
        }
        assertThat(results).allSatisfy(r -> assertThat(r.blobsUploaded()).isEqualTo(6));
        assertThat(BuildSupport.sha256(rawManifest(ordersTarget)).toString()).isEqualTo(results.get(0).digest());
        assertThat(BuildSupport.sha256(rawManifest(paymentsTarget)).toString()).isEqualTo(results.get(1).digest());
        assertThat(results.get(0).layers().get(0).digest()).as("same conf, same layer")
                .isEqualTo(results.get(1).layers().get(0).digest());
        Skopeo.copy("docker://" + paymentsTarget, "dir:" + tmp.resolve("copy"), "--src-tls-verify=false");
    }

    @Test
    void baseMovedUnderItsTagIsUsedOnlyWhenThePolicySaysSo() {
        String baseRepoAndTag = BASE.freshRepository("flink/moving-") + ":1.18";
        FlinkBase before = FlinkBase.push(BASE.registry(), baseRepoAndTag);
        JobSources sources = JobSources.create(tmp.resolve("src"), 91, 20_000);
        String target = TARGET.registry().hostPort() + "/" + TARGET.freshRepository("jobs/rebased-") + ":1";
        Path cache = tmp.resolve("cache");
        BuildResult first;
        try (Kiln kiln = kiln(cache)) {
            first = kiln.build(job(before.ref(), sources, target).build());
        }
        FlinkBase after = FlinkBase.push(BASE.registry(), baseRepoAndTag); // a patch release under the same tag

        long baseMark = BASE.registry().mark();
        try (Kiln kiln = kiln(cache)) {
            BuildResult cached = kiln.build(job(before.ref(), sources, target).build());
            assertThat(cached.base().digest()).as("if-not-present keeps the cached base").isEqualTo(before.digest().toString());
            assertThat(cached.digest()).isEqualTo(first.digest());
        }
        assertThat(BASE.registry().requestsSince(baseMark)).isEmpty();

        BuildResult rebased;
        try (Kiln kiln = kiln(cache)) {
            rebased = kiln.build(job(before.ref(), sources, target).policy(PullPolicy.ALWAYS).build());
        }
        List<AccessLogEntry> baseLog = BASE.registry().requestsSince(baseMark);
        assertThat(rebased.base().digest()).isEqualTo(after.digest().toString());
        assertThat(rebased.layers()).as("our layers do not depend on the base").allMatch(BuildResult.AppLayer::cached);
        assertThat(manifest(target).get("annotations").get("org.opencontainers.image.base.digest").asText())
                .isEqualTo(after.digest().toString());
        assertThat(layerDigests(manifest(target)).subList(0, 3))
                .containsExactlyElementsOf(after.layers().stream().map(l -> l.digest().toString()).toList());
        List<String> expectedGets = new ArrayList<>(List.of(after.configDescriptor().digest().toString()));
        after.layers().forEach(l -> expectedGets.add(l.digest().toString()));
        assertThat(blobGets(baseLog)).as("the new base's config and the layers the target lacks, once each")
                .containsExactlyInAnyOrderElementsOf(expectedGets);
        assertThat(rebased.blobsUploaded()).as("3 new base layers and the config").isEqualTo(4);
    }
}
