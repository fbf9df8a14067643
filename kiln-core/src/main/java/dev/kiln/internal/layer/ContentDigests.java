package dev.kiln.internal.layer;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where a layer fingerprint gets each file's content digest. The default hashes every file; the
 * store's cache answers from a file's stat (inode, size, mtime, ctime) when it has hashed the same,
 * unchanged file before, so an unchanged 50 MB job tree costs stat calls instead of a full read.
 */
@FunctionalInterface
public interface ContentDigests {
    /** Hashes every file. */
    ContentDigests ALWAYS_HASH = (file, hash) -> hash.get();

    /** The sha256 (hex) of {@code file}'s content; {@code hash} reads and hashes it. */
    String sha256(Path file, Supplier<String> hash);
}
