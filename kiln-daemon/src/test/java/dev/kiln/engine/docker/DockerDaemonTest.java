package dev.kiln.engine.docker;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.api.LayerInfo;
import dev.kiln.api.PullRequest;
import dev.kiln.api.PullResult;
import dev.kiln.error.PlatformNotFoundException;
import dev.kiln.event.KilnEvent;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.testing.SharedPodman;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestImages;
import dev.kiln.testing.TestKilns;
import dev.kiln.testing.Umoci;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Docker daemon as a cache level and as an output, against Podman's Docker-compatible API service
 * ({@code podman system service}, vfs storage), with the podman CLI as the independent witness.
 */
class DockerDaemonTest {
    @RegisterExtension
    static final SharedRegistry ORIGIN = SharedRegistry.plain(97);
    private static final Platform AMD64 = Platform.parse("linux/amd64");
    /** Nothing listens on port 1: a registry that cannot be asked. */
    private static final String NO_REGISTRY = "127.0.0.1:1";
    @RegisterExtension
    static final SharedPodman PODMAN = new SharedPodman();

    @TempDir
    Path tmp;
    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();

    private Kiln kiln(String cache, boolean daemonLevel) {
        KilnBuilder builder = TestKilns.builder(tmp.resolve(cache)).listener(events::add);
        return (daemonLevel ? builder.daemon(PODMAN.service().host()) : builder.daemonHost(PODMAN.service().host())).build();
    }

    /** Puts a registry image into the engine with the podman CLI, under its own name and, optionally, another. */
    private static void intoPodman(TestImages.Pushed image, String... alsoAs) {
        PODMAN.service().podman("pull", "--tls-verify=false", "-q", image.ref());
        for (String name : alsoAs) {
            PODMAN.service().podman("tag", image.ref(), name);
        }
    }

    private List<String> decisions(String outcome) {
        return events.stream().filter(e -> e instanceof KilnEvent.CacheDecision d && d.outcome().equals(outcome))
                .map(e -> ((KilnEvent.CacheDecision) e).reason()).toList();
    }

    @Test
    void aBaseTheStoreLacksComesFromTheDaemonWithoutAskingTheRegistry() throws IOException {
        TestImages.Pushed base = ORIGIN.pushFresh("daemon/base", AMD64, 30_000, 20_000);
        intoPodman(base);
        Path job = Files.writeString(tmp.resolve("job.txt"), "job v1\n");
        long mark = ORIGIN.registry().mark();
        BuildResult built;
        try (Kiln kiln = kiln("cache", true)) {
            built = kiln.build(BuildRequest.from(base.ref()).add(job, "/opt/app/job.txt").to("oci:" + tmp.resolve("out") + ":t").build());
        }
        assertThat(built.base().source()).isEqualTo("docker-daemon");
        assertThat(ORIGIN.registry().requestsSince(mark)).as("the registry is not asked").isEmpty();
        assertThat(decisions("imported")).singleElement().asString().contains("0 layers already in the store, 2 read from docker save");
        Path rootfs = Umoci.unpack(tmp.resolve("out"), "t", tmp.resolve("bundle"));
        try (var files = Files.walk(rootfs)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> rootfs.relativize(p).toString()).toList())
                    .as("the base's files, from the engine's layers, and the job's").hasSize(3).contains("opt/app/job.txt");
        }
    }

    @Test
    void layersAlreadyInTheStoreAreReusedWithoutDockerSave() {
        TestImages.Pushed base = ORIGIN.pushFresh("daemon/reuse", AMD64, 25_000);
        String renamed = NO_REGISTRY + "/renamed/reuse:7";
        intoPodman(base, renamed);
        try (Kiln registryOnly = kiln("cache", false)) {
            registryOnly.pull(PullRequest.of(base.ref()));   // the store now has the registry's layer
        }
        events.clear();
        try (Kiln kiln = kiln("cache", true)) {
            PullResult fromDaemon = kiln.pull(PullRequest.of(renamed));
            assertThat(fromDaemon.source()).isEqualTo("docker-daemon");
            assertThat(fromDaemon.layers()).extracting(LayerInfo::digest).as("the registry's own compressed layer, reused")
                    .containsExactlyElementsOf(base.layers().stream().map(d -> d.digest().toString()).toList());
            assertThat(decisions("imported")).singleElement().asString().contains("1 layers already in the store, no docker save");
        }
    }

    @Test
    void onlyAnExactNameAndPlatformMatch() {
        TestImages.Pushed arm = ORIGIN.pushFresh("daemon/arm-only", Platform.parse("linux/arm64"), 10_000);
        PODMAN.service().podman("pull", "--tls-verify=false", "-q", "--arch", "arm64", arm.ref());
        try (Kiln kiln = kiln("cache", true)) {
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(arm.ref()).platform("linux/amd64").build()))
                    .isInstanceOf(PlatformNotFoundException.class);
            assertThat(decisions("daemon-miss")).singleElement().asString().contains("is linux/arm64, not linux/amd64");
            events.clear();
            String similar = arm.ref().replace("daemon/arm-only", "daemon/arm");
            assertThatThrownBy(() -> kiln.pull(PullRequest.builder(similar).platform("linux/arm64").build()));
            assertThat(decisions("daemon-miss")).singleElement().asString().contains("has no image named exactly");
        }
    }

    @Test
    void policyNeverUsesTheDaemonOfflineAndAlwaysAsksTheRegistry() {
        TestImages.Pushed base = ORIGIN.pushFresh("daemon/offline", AMD64, 10_000);
        String offline = NO_REGISTRY + "/offline/base:1";
        intoPodman(base, offline);
        try (Kiln kiln = kiln("never", true)) {
            PullResult result = kiln.pull(PullRequest.builder(offline).policy(PullPolicy.NEVER).build());
            assertThat(result.source()).isEqualTo("docker-daemon");
        }
        events.clear();
        try (Kiln kiln = kiln("always", true)) {
            long mark = ORIGIN.registry().mark();
            PullResult result = kiln.pull(PullRequest.builder(base.ref()).policy(PullPolicy.ALWAYS).build());
            assertThat(result.source()).as("an engine cannot say how fresh its tag is").isEqualTo(ORIGIN.registry().hostPort());
            assertThat(ORIGIN.registry().requestsSince(mark)).isNotEmpty();
            assertThat(decisions("imported")).isEmpty();
        }
    }

    @Test
    void anUnreachableDaemonIsSkippedWithAWarning() {
        TestImages.Pushed base = ORIGIN.pushFresh("daemon/unreachable", AMD64, 10_000);
        try (Kiln kiln = TestKilns.builder(tmp.resolve("cache")).listener(events::add)
                .daemon("unix://" + tmp.resolve("no-such.sock")).build()) {
            PullResult result = kiln.pull(PullRequest.of(base.ref()));
            assertThat(result.source()).isEqualTo(ORIGIN.registry().hostPort());
        }
        assertThat(events).filteredOn(e -> e instanceof KilnEvent.Warning).singleElement().asString()
                .contains("no-such.sock").contains("skipping the daemon level");
    }

    @Test
    void aBuiltImageIsLoadedIntoTheDaemonUnderItsName() throws IOException {
        TestImages.Pushed base = ORIGIN.pushFresh("daemon/load-base", AMD64, 15_000);
        Path job = Files.writeString(tmp.resolve("job.txt"), "loaded into the engine\n");
        String name = "127.0.0.1:5999/loaded/app:1";
        BuildResult built;
        try (Kiln kiln = kiln("cache", false)) {
            built = kiln.build(BuildRequest.from(base.ref()).add(job, "/opt/app/job.txt").to("docker-daemon:" + name).build());
        }
        String id = PODMAN.service().podman("image", "inspect", "--format", "{{.Id}}", name).strip();
        String mount = PODMAN.service().podman("image", "mount", name).strip();
        try {
            assertThat(Files.readString(Path.of(mount, "opt/app/job.txt"))).isEqualTo("loaded into the engine\n");
        } finally {
            PODMAN.service().podman("image", "unmount", name);
        }
        assertThat(built.platforms()).singleElement().satisfies(p -> assertThat(p.digest()).isNotBlank());
        assertThat("sha256:" + id).as("the engine's image ID is the built config's digest")
                .isEqualTo(configDigestOf(tmp.resolve("cache"), built.digest()));
    }

    /** The config digest of a built manifest, read back from the store with Kiln's own inspect. */
    private static String configDigestOf(Path cache, String manifestDigest) throws IOException {
        Path blob = cache.resolve("store/blobs/sha256/" + manifestDigest.substring("sha256:".length()));
        Descriptor config = dev.kiln.image.RawManifest.of(Files.readAllBytes(blob), null).asManifest().config();
        return config.digest().toString();
    }
}
