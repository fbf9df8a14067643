package dev.kiln.internal.store;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.image.Digest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Writes one blob into the ingest area, hashing while it writes, so that {@link #verify} costs
 * nothing extra. Obtained from {@link BlobStore#ensure}; the store commits it. A file an earlier,
 * interrupted download left behind is continued: its bytes are hashed again and writing goes on
 * from its end (a download asks for the rest with HTTP {@code Range} from {@link #written()}).
 */
public final class BlobWriter extends OutputStream {
    private static final long SYNC_EVERY = 16L << 20;
    private final Path file;
    private final FileChannel channel;
    private MessageDigest sha256 = Digest.newSha256();
    private long written;
    private long synced;
    private Tap tap;

    /**
     * Receives a copy of the bytes a writer writes, as it writes them, from the blob's first byte on
     * (a layer uploaded while it is downloaded). The writer still verifies before the store commits:
     * what a tap received is proven only by the commit, or by whoever it sends the bytes to.
     */
    public interface Tap {
        /** The next bytes of the blob; must not throw (a consumer that failed just stops taking them). */
        void accept(byte[] bytes, int offset, int length);

        /** The writer will not give this tap the blob from its first byte on: what it received is void. */
        void discard();
    }

    /** A new, empty ingest file (any earlier content is discarded). */
    BlobWriter(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private BlobWriter(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the ingest file of a blob of {@code expectedSize} bytes ({@code -1}: unknown), keeping
     * what an interrupted download left in it unless that is already longer than the blob.
     */
    static BlobWriter continuing(Path file, long expectedSize) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BlobWriter writer = new BlobWriter(file, channel);
        try {
            long kept = channel.size();
            if (kept > 0 && (expectedSize < 0 || kept <= expectedSize)) {
                writer.hashExisting(kept);
            } else if (kept > 0) {
                channel.truncate(0);
            }
            return writer;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Hashes the first {@code length} bytes already in the file and positions writing after them. */
    private void hashExisting(long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            sha256.update(buffer.array(), 0, n);
            position += n;
        }
        channel.position(position);
        written = position;
        synced = position;
    }

    /**
     * Gives {@code tap} every byte written from now on; a writer that already holds bytes (kept from an
     * interrupted download) cannot, and discards the tap at once.
     */
    public void tap(Tap consumer) {
        if (written > 0) {
            consumer.discard();
        } else {
            tap = consumer;
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        sha256.update(bytes, offset, length);
        written += length;
        if (tap != null) {
            tap.accept(bytes, offset, length);
        }
        if (written - synced >= SYNC_EVERY) {
            // flush as we go, so the fsync before commit does not write a whole layer at once
            channel.force(false);
            synced = written;
        }
    }

    /** Bytes written so far: where a resumed download continues. */
    public long written() {
        return written;
    }

    /** Discards what was written, for a download that must start over. */
    public void reset() throws IOException {
        if (tap != null) {
            tap.discard();
            tap = null;
        }
        channel.truncate(0);
        channel.position(0);
        sha256 = Digest.newSha256();
        written = 0;
        synced = 0;
    }

    Path file() {
        return file;
    }

    /** Flushes to disk and returns the digest of what was written; the caller renames the file into place. */
    Digest finish() throws IOException {
        channel.force(true);
        return Digest.fromSha256(sha256.digest());
    }

    /** Flushes to disk and checks size and digest; the caller renames the file into place. */
    void verify(Digest expected, long expectedSize) throws IOException {
        Digest actual = finish();
        if (expectedSize >= 0 && written != expectedSize) {
            throw new DigestMismatchException("blob " + expected + " has " + written + " bytes, expected " + expectedSize
                    + " (truncated or oversized download); it was not stored");
        }
        if (!actual.equals(expected)) {
            throw new DigestMismatchException("blob content does not match its digest: expected " + expected + ", got "
                    + actual + "; it was not stored");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
