package dev.kiln.internal.resolve;

import dev.kiln.internal.daemon.DaemonLevel;
import dev.kiln.error.ImageNotFoundException;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BlobWriter;

import java.util.Optional;

/**
 * A Docker engine as an {@link ImageSource} for one platform: a tag it holds is imported whole (manifest,
 * config and layers) into the store, so it serves manifests by tag and nothing else. An engine cannot
 * say how fresh its tag is, so the resolver asks it only under policies that accept any copy.
 */
public final class DaemonSource implements ImageSource {
    /** How results name this source. */
    public static final String NAME = "docker-daemon";

    private final DaemonLevel level;
    private final Platform platform;
    private final Telemetry telemetry;

    private DaemonSource(DaemonLevel level, Platform platform, Telemetry telemetry) {
        this.level = level;
        this.platform = platform;
        this.telemetry = telemetry;
    }

    /** The factory a {@link Resolver} opens a daemon source with, per operation. */
    public static ImageSource.Factory of(DaemonLevel level) {
        return (platform, telemetry) -> new DaemonSource(level, platform, telemetry);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Descriptor> head(Reference ref) {
        return Optional.empty();
    }

    /** Imports {@code ref} from the engine; the caller holds a store lease. */
    @Override
    public RawManifest manifest(Reference ref) {
        // a miss (or an unreachable engine) was reported by the level itself, as a decision or a warning
        return level.importImage(ref, platform, telemetry).orElseThrow(() -> new ImageNotFoundException(
                "the Docker daemon has no " + ref + " for " + platform));
    }

    @Override
    public void fetchBlob(Reference ref, Descriptor blob, BlobWriter into) {
        throw new ImageNotFoundException("the Docker daemon provides whole images, not blob " + blob.digest().shortHex());
    }
}
