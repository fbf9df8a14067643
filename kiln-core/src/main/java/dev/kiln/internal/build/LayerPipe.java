package dev.kiln.internal.build;

import dev.kiln.internal.store.BlobWriter;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.function.Supplier;

/**
 * Carries a layer's bytes from the thread writing it into the store (a {@link BlobWriter.Tap}) to the
 * thread uploading it ({@link #input()}), through a bounded buffer: the upload reads what the download
 * has written, and the download waits when the upload falls behind. The upload's stream ends only when
 * the download ended with the whole blob in the store; when it found the whole blob already fetched by
 * someone else (another build waiting on the same download, in this process or another), the upload
 * reads it from the store through the same stream, so it is still one request; when the download
 * failed or started over, the stream fails instead, and the upload with it. When the upload stops
 * reading, the download goes on into the store alone.
 */
final class LayerPipe implements BlobWriter.Tap {
    private static final int BUFFER = 1 << 18;

    private final long size;
    private final PipedInputStream in;
    private final PipedOutputStream out;
    private long received;
    private volatile boolean detached;
    private volatile String failure;

    LayerPipe(long size) {
        this.size = size;
        try {
            this.in = new PipedInputStream(BUFFER);
            this.out = new PipedOutputStream(in);
        } catch (IOException e) {
            throw new IllegalStateException("a new pipe is always connectable", e);
        }
    }

    @Override
    public void accept(byte[] bytes, int offset, int length) {
        if (detached) {
            return;
        }
        try {
            out.write(bytes, offset, length);
            received += length;
        } catch (IOException readerGone) {
            detached = true;   // the upload stopped reading: the download goes on into the store alone
        }
    }

    @Override
    public void discard() {
        end("the download started over");
    }

    /**
     * The download ended with the blob committed to the store: the upload may end too, if it had it all;
     * if it had none of it (another download fetched it), it gets the blob from {@code stored}.
     */
    void finished(Supplier<InputStream> stored) {
        if (received == 0 && size > 0 && !detached) {
            byte[] buffer = new byte[BUFFER];
            try (InputStream blob = stored.get()) {
                for (int n; !detached && (n = blob.read(buffer)) > 0; ) {
                    accept(buffer, 0, n);
                }
            } catch (IOException | RuntimeException e) {
                end("cannot read the blob another download stored: " + e.getMessage());
                return;
            }
        }
        end(received == size ? null : "the store already had part of the blob from another download");
    }

    /** The download failed: the upload fails with it. */
    void failed(Throwable cause) {
        end("the download failed: " + cause.getMessage());
    }

    private void end(String why) {
        if (failure == null) {
            failure = why;
        }
        detached = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // closing a pipe's writing end does not fail
        }
    }

    /** What the upload reads: the layer's bytes, ending only if the store got it whole. */
    InputStream input() {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n;
                try {
                    n = super.read(buffer, offset, length);
                } catch (InterruptedIOException e) {
                    Thread.currentThread().interrupt();   // the pipe's wait cleared it: the caller must still see it was cancelled
                    throw e;
                }
                if (n < 0 && failure != null) {
                    throw new IOException("layer upload stopped: " + failure);
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                detached = true;
                super.close();
            }
        };
    }
}
