package dev.kiln.internal.resolve;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BlobWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The levels behind the local store for one operation, asked in order: sources on this machine whose
 * copies no registry vouches for (a Docker engine: tags only, and only when the decision accepts any
 * copy), then the registry's mirrors, then the registry itself (absent when the policy forbids the
 * network). A local source that lacks the image passes silently to the next level. Tag lookups go only
 * to mirrors allowed to resolve tags; content by digest to every mirror. A mirror that fails (down,
 * slow past the timeouts, an error status, missing content) is skipped with a warning for the rest of
 * the operation; a blob it left half written is continued by the next level with a range request,
 * since the bytes are the same by digest. The last level's failure is the caller's.
 */
final class SourceChain implements ImageSource {
    private enum Kind { LOCAL, MIRROR, ORIGIN }

    private record Level(ImageSource source, Kind kind, boolean resolve, Function<Reference, Reference> rewrite) {
        boolean asks(Reference ref) {
            return switch (kind) {
                case LOCAL -> ref.digest() == null;
                case MIRROR -> ref.digest() != null || resolve;
                case ORIGIN -> true;
            };
        }
    }

    private final List<Level> levels = new ArrayList<>();
    private final Set<Level> failed = ConcurrentHashMap.newKeySet();
    private final Telemetry telemetry;
    private volatile ImageSource served;
    private volatile ImageSource provided;

    /**
     * {@code origin}: the registry, or {@code null} when the network is forbidden (then {@code local}
     * must not be empty); {@code sourceFor} makes a mirror's source from its host.
     */
    SourceChain(List<ImageSource> local, List<Mirror> mirrors, Function<String, ImageSource> sourceFor, ImageSource origin,
                Telemetry telemetry) {
        local.forEach(source -> levels.add(new Level(source, Kind.LOCAL, true, ref -> ref)));
        if (origin != null) {
            for (Mirror mirror : mirrors) {
                levels.add(new Level(sourceFor.apply(mirror.host()), Kind.MIRROR, mirror.resolve(),
                        ref -> new Reference(mirror.host(), ref.repository(), ref.tag(), ref.digest())));
            }
            levels.add(new Level(origin, Kind.ORIGIN, true, ref -> ref));
        }
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("a source chain needs at least one level");
        }
        this.telemetry = telemetry;
        this.served = levels.get(levels.size() - 1).source();
    }

    /** The level that served the last request. */
    @Override
    public String name() {
        return served.name();
    }

    /** The level that last provided content (a manifest or a blob, not a HEAD); empty when none did. */
    Optional<String> provider() {
        return Optional.ofNullable(provided).map(ImageSource::name);
    }

    @Override
    public Optional<Descriptor> head(Reference ref) {
        return first(ref, "HEAD", false, (level, r) -> level.source().head(r));
    }

    @Override
    public RawManifest manifest(Reference ref) {
        return first(ref, "manifest", true, (level, r) -> level.source().manifest(r));
    }

    @Override
    public void fetchBlob(Reference ref, Descriptor blob, BlobWriter into) {
        first(ref.withDigest(blob.digest()), "blob " + blob.digest().shortHex(), true, (level, r) -> {
            try {
                level.source().fetchBlob(r, blob, into);
            } catch (DigestMismatchException e) {
                try {
                    into.reset();   // what it sent is wrong: the next level starts over rather than continuing it
                } catch (IOException io) {
                    throw new StoreException("cannot discard a mirror's wrong bytes: " + io.getMessage(), io);
                }
                throw e;
            }
            return null;
        });
    }

    private interface Call<T> {
        T on(Level level, Reference ref);
    }

    private <T> T first(Reference ref, String what, boolean content, Call<T> call) {
        Level last = levels.get(levels.size() - 1);
        for (Level level : levels) {
            if (level != last && (failed.contains(level) || !level.asks(ref))) {
                continue;
            }
            try {
                T result = call.on(level, level.rewrite().apply(ref));
                served = level.source();
                if (content) {
                    provided = level.source();
                }
                return result;
            } catch (KilnException e) {
                // a local source that lacks the image said so itself (its own decision or warning); other failures are real
                boolean localMiss = level.kind() == Kind.LOCAL && e instanceof RegistryException missing && missing.isNotFound();
                if (level == last || level.kind() == Kind.LOCAL && !localMiss) {
                    throw e;
                }
                failed.add(level);
                if (!localMiss) {
                    telemetry.emit(new KilnEvent.Warning("mirror " + level.source().name() + " failed for " + what + " of " + ref
                            + " (" + e.getMessage() + "); using the next level"));
                }
            }
        }
        throw new IllegalStateException("the last level answers or throws");
    }
}
