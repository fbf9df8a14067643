package dev.kiln.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

/**
 * A simple parallel gzip: the input is cut into fixed-size chunks, each compressed on its own into a
 * complete gzip member on a thread pool, and the members are written in order (RFC 1952 allows a
 * file of several members; gunzip, Go's and Java's readers decompress them as one stream). Unlike
 * pigz, chunks share no dictionary, so the output is slightly bigger. At most {@code 2 × threads}
 * chunks are in flight, so memory stays bounded. The caller's stream is not closed.
 */
final class ParallelGzipOutputStream extends OutputStream {
    private final OutputStream out;
    private final ExecutorService pool;
    private final int chunkSize;
    private final int level;
    private final int maxInFlight;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private byte[] chunk;
    private int filled;
    private boolean closed;

    ParallelGzipOutputStream(OutputStream out, ExecutorService pool, int threads, int chunkSize, int level) {
        this.out = out;
        this.pool = pool;
        this.chunkSize = chunkSize;
        this.level = level;
        this.maxInFlight = 2 * threads;
        this.chunk = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, chunkSize - filled);
            System.arraycopy(bytes, offset, chunk, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == chunkSize) {
                submit();
            }
        }
    }

    private void submit() throws IOException {
        byte[] input = chunk;
        int size = filled;
        pending.add(pool.submit(() -> member(input, size, level)));
        chunk = new byte[chunkSize];
        filled = 0;
        while (pending.size() >= maxInFlight) {
            writeNext();
        }
    }

    private void writeNext() throws IOException {
        try {
            out.write(pending.remove().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compressing a chunk failed", e.getCause());
        }
    }

    /** One chunk as one gzip member. */
    static byte[] member(byte[] input, int size, int level) throws IOException {
        ByteArrayOutputStream member = new ByteArrayOutputStream(size / 2 + 64);
        try (GZIPOutputStream gzip = new LevelGzipOutputStream(member, level)) {
            gzip.write(input, 0, size);
        }
        return member.toByteArray();
    }

    /** Compresses what is left and writes every member still pending; the caller's stream stays open. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0 || pending.isEmpty()) {
            submit();
        }
        while (!pending.isEmpty()) {
            writeNext();
        }
    }

    /** {@link GZIPOutputStream} at a given deflate level (its own is zlib's default, 6), with a 64 KiB buffer. */
    static final class LevelGzipOutputStream extends GZIPOutputStream {
        LevelGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }
}
