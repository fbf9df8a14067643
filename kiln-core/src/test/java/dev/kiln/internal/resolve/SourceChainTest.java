package dev.kiln.internal.resolve;

import dev.kiln.error.DaemonException;
import dev.kiln.error.ImageNotFoundException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BlobWriter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The order of the levels behind the store and how each kind of level fails, with in-memory sources. */
class SourceChainTest {
    private static final Reference TAG = Reference.parse("registry.example/base/app:1");
    private static final RawManifest MANIFEST = RawManifest.of("{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8),
            MediaTypes.OCI_MANIFEST);

    private final List<KilnEvent> events = new CopyOnWriteArrayList<>();
    private final Telemetry telemetry = new Telemetry(events::add);

    /** A source that answers manifests from {@code answer} (null: it lacks them, a {@link RuntimeException}: it fails). */
    private record Fake(String name, Object answer, List<Reference> asked) implements ImageSource {
        Fake(String name, Object answer) {
            this(name, answer, new ArrayList<>());
        }

        @Override
        public Optional<Descriptor> head(Reference ref) {
            asked.add(ref);
            return Optional.of(Descriptor.of(MediaTypes.OCI_MANIFEST, MANIFEST.digest(), MANIFEST.bytes().length));
        }

        @Override
        public RawManifest manifest(Reference ref) {
            asked.add(ref);
            if (answer instanceof RuntimeException e) {
                throw e;
            }
            if (answer == null) {
                throw new ImageNotFoundException(name + " has no " + ref);
            }
            return (RawManifest) answer;
        }

        @Override
        public void fetchBlob(Reference ref, Descriptor blob, BlobWriter into) {
            manifest(ref);
        }
    }

    private SourceChain chain(Fake local, Fake origin) {
        return new SourceChain(local == null ? List.of() : List.of(local), List.of(), host -> null, origin, telemetry);
    }

    @Test
    void aLocalSourceThatLacksATagPassesSilentlyToTheRegistry() {
        Fake daemon = new Fake("docker-daemon", null);
        Fake registry = new Fake("registry.example", MANIFEST);
        SourceChain chain = chain(daemon, registry);
        assertThat(chain.provider()).as("nothing provided yet").isEmpty();
        assertThat(chain.manifest(TAG)).isEqualTo(MANIFEST);
        assertThat(chain.provider()).hasValue("registry.example");
        assertThat(events).as("the local source reports its own miss").isEmpty();

        chain.manifest(TAG);
        assertThat(daemon.asked).as("asked once per operation").hasSize(1);
    }

    @Test
    void aLocalSourceThatHasTheTagServesItAndTheRegistryIsNotAsked() {
        Fake daemon = new Fake("docker-daemon", MANIFEST);
        Fake registry = new Fake("registry.example", MANIFEST);
        SourceChain chain = chain(daemon, registry);
        chain.manifest(TAG);
        assertThat(chain.provider()).hasValue("docker-daemon");
        assertThat(registry.asked).isEmpty();
    }

    @Test
    void localSourcesAreAskedForTagsOnlyNeverByDigestAndAHeadProvidesNothing() {
        Fake daemon = new Fake("docker-daemon", MANIFEST);
        Fake registry = new Fake("registry.example", MANIFEST);
        SourceChain chain = chain(daemon, registry);
        chain.manifest(TAG.withDigest(Digest.sha256(new byte[] {1})));
        assertThat(daemon.asked).isEmpty();
        assertThat(chain.provider()).hasValue("registry.example");
        chain.head(TAG);
        assertThat(chain.provider()).as("a HEAD provides nothing").hasValue("registry.example");
    }

    @Test
    void aLocalSourceThatFailsOtherwiseIsAnError() {
        SourceChain chain = chain(new Fake("docker-daemon", new DaemonException("save broke")), new Fake("registry.example", MANIFEST));
        assertThatThrownBy(() -> chain.manifest(TAG)).isInstanceOf(DaemonException.class);
    }

    @Test
    void offlineTheLocalSourceIsTheLastLevelAndItsMissIsTheCallers() {
        SourceChain chain = chain(new Fake("docker-daemon", null), null);
        assertThatThrownBy(() -> chain.manifest(TAG)).isInstanceOf(ImageNotFoundException.class);
    }
}
