package dev.kiln.internal.layer;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Zstandard at level 3, one frame, no checksum (the layer is addressed by its sha256 anyway),
 * single-threaded so the output is a function of the input. zstd is fast on incompressible data,
 * so unlike gzip it keeps one level for every entry.
 */
final class ZstdCompressor implements Compressor {
    static final int LEVEL = 3;
    private final Shield shield;
    private final ZstdOutputStreamNoFinalizer zstd;
    private boolean released;

    ZstdCompressor(OutputStream out) throws IOException {
        this.shield = new Shield(out);
        this.zstd = new ZstdOutputStreamNoFinalizer(shield, LEVEL);
        zstd.setChecksum(false);
        zstd.setWorkers(0);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        zstd.write(bytes, offset, length);
    }

    @Override
    public boolean switches(boolean alreadyCompressed) {
        return false;
    }

    @Override
    public void contentFollows(boolean alreadyCompressed) {
    }

    @Override
    public void finish() throws IOException {
        zstd.close(); // ends the frame; the shield keeps the caller's stream open
        released = true;
    }

    @Override
    public void release() {
        if (!released) {
            released = true;
            shield.detached = true; // a failed layer: the end of frame must not reach the caller
            try {
                zstd.close();
            } catch (IOException | RuntimeException ignored) {
                // only freeing the native context
            }
        }
    }

    /** Passes writes on, but never closes the caller's stream, and drops everything once detached. */
    private static final class Shield extends FilterOutputStream {
        boolean detached;

        Shield(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            if (!detached) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!detached) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!detached) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
