package dev.kiln.internal.layer;

import java.io.IOException;

/**
 * The compressing end of a layer stream. Receives the tar in chunks from {@link TarSink}; may
 * change its effort between tar entries. Output must depend only on the bytes received and the
 * points where {@link #contentFollows} switched, so identical layers compress identically.
 */
interface Compressor {
    void write(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Whether the compressor wants to switch effort for the content that follows: the caller then
     * hands over everything buffered so far and calls {@link #contentFollows}.
     */
    boolean switches(boolean alreadyCompressed);

    /** The next bytes are an entry's content, already compressed (jar, gzip, png…) or not. */
    void contentFollows(boolean alreadyCompressed) throws IOException;

    /** Ends the compressed stream (trailer, end of frame); does not close the caller's stream. */
    void finish() throws IOException;

    /** Frees native resources; after a failure, also ensures nothing more reaches the output. */
    void release();
}
