package dev.kiln.internal.daemon;

import dev.kiln.image.Digest;

import java.util.List;

/**
 * An image as the engine describes it.
 *
 * @param name     the name it was found under, exactly as asked
 * @param id       the engine's image ID: the digest of its config
 * @param os       as the engine reports it
 * @param arch     as the engine reports it (engines do not all report the variant; the config says)
 * @param diffIds  its layers, uncompressed, bottom first
 */
public record DaemonImage(String name, Digest id, String os, String arch, List<Digest> diffIds) {
    public DaemonImage {
        diffIds = List.copyOf(diffIds);
    }
}
