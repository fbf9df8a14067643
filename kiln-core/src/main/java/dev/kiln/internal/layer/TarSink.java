package dev.kiln.internal.layer;

import dev.kiln.image.Digest;

import java.io.OutputStream;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * Where the tar stream goes: gathers the tar's 512-byte records into 64 KiB chunks, hashes and
 * counts each chunk (the diffId, in the same pass) and hands it to the compressor. Flushes from
 * the tar writer are ignored, so they cannot change the compressed bytes.
 */
final class TarSink extends OutputStream {
    static final int BUFFER_SIZE = 64 * 1024;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final MessageDigest sha256 = Digest.newSha256();
    private final Compressor compressor;
    private int filled;
    private long size;
    private boolean closed;

    TarSink(Compressor compressor) {
        this.compressor = compressor;
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == buffer.length) {
            drain();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, buffer.length - filled);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == buffer.length) {
                drain();
            }
        }
    }

    /** Called between an entry's header and its content, once the header has been written here. */
    void contentFollows(boolean alreadyCompressed) throws IOException {
        if (compressor.switches(alreadyCompressed)) {
            drain();
            compressor.contentFollows(alreadyCompressed);
        }
    }

    private void drain() throws IOException {
        if (filled > 0) {
            sha256.update(buffer, 0, filled);
            size += filled;
            compressor.write(buffer, 0, filled);
            filled = 0;
        }
    }

    @Override
    public void flush() {
    }

    /** Hands over the rest and ends the compressed stream. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            drain();
            compressor.finish();
        }
    }

    LayerResult result() {
        if (!closed) {
            throw new IllegalStateException("the layer stream is not finished");
        }
        return new LayerResult(Digest.fromSha256(sha256.digest()), size);
    }
}
