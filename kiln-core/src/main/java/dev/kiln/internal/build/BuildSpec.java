package dev.kiln.internal.build;

import dev.kiln.image.Platform;
import dev.kiln.image.PullPolicy;
import dev.kiln.image.Reference;
import dev.kiln.image.Staleness;
import dev.kiln.internal.layer.Compression;
import dev.kiln.internal.layer.LayerSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything one build needs: base (or scratch), application layers in order (bottom first),
 * config changes, platform, base pull policy, compression, the fixed time written into layers and
 * config (reproducibility), and the target.
 *
 * @param base  the base image, or {@code null} for {@code scratch}
 * @param time  the timestamp of every layer entry and of the config ({@code SOURCE_DATE_EPOCH} or a constant)
 * @param staleness how stale the cached base may be (max-stale, stale-if-error)
 */
public record BuildSpec(Reference base, Platform platform, PullPolicy policy, Duration maxAge, Staleness staleness,
                        List<LayerSource> layers, ConfigChanges changes, Compression compression, Instant time, Target target) {

    /** The constant creation time of reproducible images when no {@code SOURCE_DATE_EPOCH} is given. */
    public static final Instant DEFAULT_TIME = Instant.EPOCH;

    public BuildSpec {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(target, "target");
        layers = List.copyOf(layers);
        changes = changes == null ? ConfigChanges.NONE : changes;
        compression = compression == null ? Compression.GZIP : compression;
        time = time == null ? DEFAULT_TIME : time;
        staleness = staleness == null ? Staleness.STRICT : staleness;
    }

    /** The same build with other layers and configuration changes (what a Flink job or a Dockerfile adds). */
    public BuildSpec with(List<LayerSource> newLayers, ConfigChanges newChanges) {
        return new BuildSpec(base, platform, policy, maxAge, staleness, newLayers, newChanges, compression, time, target);
    }
}
