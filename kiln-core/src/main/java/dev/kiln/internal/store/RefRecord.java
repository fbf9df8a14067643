package dev.kiln.internal.store;

import dev.kiln.image.Digest;
import dev.kiln.image.Platform;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a reference resolved to when it was last fetched or checked: the top-level digest (an index
 * or a single manifest) and, per platform pulled, that platform's manifest digest. One record
 * describes one top-level digest: when the tag moves, entries of the old one are dropped.
 *
 * @param reference the reference as normalized text
 * @param digest    what the reference resolved to (index or manifest)
 * @param mediaType media type of that document
 * @param fetchedAt when {@code digest} was first stored for this reference
 * @param checkedAt when the registry last confirmed {@code digest} (fetch or HEAD)
 * @param platforms platform ({@code os/arch[/variant]}) → its manifest and usage
 */
public record RefRecord(String reference, Digest digest, String mediaType, Instant fetchedAt, Instant checkedAt,
                        Map<String, PlatformEntry> platforms) {

    public RefRecord {
        platforms = Map.copyOf(platforms);
    }

    /**
     * @param source where the manifest was fetched from: a registry or mirror ({@code host[:port]}) or
     *               {@code docker-daemon}; null in records written before Kiln kept it
     */
    public record PlatformEntry(Digest manifest, Instant fetchedAt, Instant usedAt, String source) {
        PlatformEntry usedAt(Instant when) {
            return new PlatformEntry(manifest, fetchedAt, when, source);
        }
    }

    public Optional<PlatformEntry> platform(Platform platform) {
        return Optional.ofNullable(platforms.get(platform.toString()));
    }

    /** Last use of any platform, for least-recently-used cleanup. */
    public Instant lastUsed() {
        return platforms.values().stream().map(PlatformEntry::usedAt).max(Instant::compareTo).orElse(fetchedAt);
    }

    public RefRecord withPlatform(Platform platform, PlatformEntry entry) {
        Map<String, PlatformEntry> updated = new LinkedHashMap<>(platforms);
        updated.put(platform.toString(), entry);
        return new RefRecord(reference, digest, mediaType, fetchedAt, checkedAt, updated);
    }

    public RefRecord withoutPlatform(String platform) {
        Map<String, PlatformEntry> updated = new LinkedHashMap<>(platforms);
        updated.remove(platform);
        return new RefRecord(reference, digest, mediaType, fetchedAt, checkedAt, updated);
    }

    public RefRecord checked(Instant when) {
        return new RefRecord(reference, digest, mediaType, fetchedAt, when, platforms);
    }

    public RefRecord used(Platform platform, Instant when) {
        return platform(platform).map(e -> withPlatform(platform, e.usedAt(when))).orElse(this);
    }
}
