package dev.kiln.resolve;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.KilnException;
import dev.kiln.error.StoreException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.store.BlobWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An origin behind its mirrors: each request goes to the mirrors in order, then to the origin.
 * Tag lookups go only to mirrors allowed to resolve tags; content by digest to every mirror. A
 * mirror that fails (down, slow past the timeouts, an error status, missing content) is skipped with
 * a warning for the rest of the operation; a blob it left half written is continued by the next
 * level with a range request, since the bytes are the same by digest.
 */
final class MirroredSource implements ImageSource {
    private record Level(ImageSource source, boolean resolve, Function<Reference, Reference> rewrite) {
    }

    private final List<Level> levels = new ArrayList<>();
    private final Set<Level> failed = ConcurrentHashMap.newKeySet();
    private final Telemetry telemetry;
    private volatile String served;

    MirroredSource(List<Mirror> mirrors, Function<String, ImageSource> sourceFor, ImageSource origin, Telemetry telemetry) {
        for (Mirror mirror : mirrors) {
            levels.add(new Level(sourceFor.apply(mirror.host()), mirror.resolve(),
                    ref -> new Reference(mirror.host(), ref.repository(), ref.tag(), ref.digest())));
        }
        levels.add(new Level(origin, true, ref -> ref));
        this.telemetry = telemetry;
        this.served = origin.name();
    }

    /** The level that served the last request. */
    @Override
    public String name() {
        return served;
    }

    @Override
    public Optional<Descriptor> head(Reference ref) {
        return first(ref, "HEAD", (level, r) -> level.source().head(r));
    }

    @Override
    public RawManifest manifest(Reference ref) {
        return first(ref, "manifest", (level, r) -> level.source().manifest(r));
    }

    @Override
    public void fetchBlob(Reference ref, Descriptor blob, BlobWriter into) {
        first(ref.withDigest(blob.digest()), "blob " + blob.digest().shortHex(), (level, r) -> {
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

    private <T> T first(Reference ref, String what, Call<T> call) {
        for (Level level : levels) {
            boolean origin = level == levels.get(levels.size() - 1);
            if (!origin && (failed.contains(level) || ref.digest() == null && !level.resolve())) {
                continue;
            }
            try {
                T result = call.on(level, level.rewrite().apply(ref));
                served = level.source().name();
                return result;
            } catch (KilnException e) {
                if (origin) {
                    throw e;
                }
                failed.add(level);
                telemetry.emit(new KilnEvent.Warning("mirror " + level.source().name() + " failed for " + what + " of " + ref
                        + " (" + e.getMessage() + "); using the next level"));
            }
        }
        throw new IllegalStateException("the origin is always the last level");
    }
}
