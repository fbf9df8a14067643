package dev.kiln.internal.archive;

import dev.kiln.image.Digest;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the writers get blob content from: the store in production, a map or temp files in tests.
 * The writers never trust it: every stream is checked against the size and digest it was asked for,
 * so a corrupt source fails the write instead of producing an image that fails later on pull or load.
 */
@FunctionalInterface
public interface BlobReader {
    /** Opens the content of {@code digest}; the caller closes the stream. */
    InputStream open(Digest digest) throws IOException;
}
