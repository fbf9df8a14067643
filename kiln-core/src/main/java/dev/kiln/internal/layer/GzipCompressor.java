package dev.kiln.internal.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip with a fixed header and a per-entry deflate level.
 *
 * <p>The header is written here rather than by {@link java.util.zip.GZIPOutputStream}, whose OS byte
 * changed between JDK releases (0, then 255): it is always {@code 1f 8b 08 00 00000000 00 ff}
 * (no flags, mtime 0, no name, OS "unknown", as Go's compress/gzip writes it).
 *
 * <p>Content that is already compressed (jars above all) is deflated at level 0 (stored blocks,
 * 5 bytes per 64 KiB): deflating it at level 6 costs ~24 MB/s per core and saves a percent or two.
 * Everything else is deflated at level 6. A level switch is applied at once, with no input pending,
 * so the data before the switch is compressed at the old level and the content after it at the new
 * one; the sequence of Deflater calls depends only on the tar bytes, hence identical output for
 * identical input with the same zlib.
 */
final class GzipCompressor implements Compressor {
    static final int TEXT_LEVEL = 6;
    static final int STORED_LEVEL = 0;
    private static final byte[] HEADER = {
            0x1f, (byte) 0x8b, // magic
            8,                 // deflate
            0,                 // flags: no name, comment, extra or header crc
            0, 0, 0, 0,        // mtime: none
            0,                 // extra flags
            (byte) 0xff        // OS: unknown
    };
    private static final byte[] NO_INPUT = new byte[0];

    private final OutputStream out;
    private final Deflater deflater = new Deflater(TEXT_LEVEL, true);
    private final CRC32 crc = new CRC32();
    private final byte[] buffer = new byte[TarSink.BUFFER_SIZE];
    private int level = TEXT_LEVEL;
    private long inputSize;
    private boolean released;

    GzipCompressor(OutputStream out) throws IOException {
        this.out = out;
        out.write(HEADER);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        crc.update(bytes, offset, length);
        inputSize += length;
        deflater.setInput(bytes, offset, length);
        while (!deflater.needsInput()) {
            drain();
        }
    }

    @Override
    public boolean switches(boolean alreadyCompressed) {
        return levelFor(alreadyCompressed) != level;
    }

    @Override
    public void contentFollows(boolean alreadyCompressed) throws IOException {
        int wanted = levelFor(alreadyCompressed);
        if (wanted == level) {
            return;
        }
        level = wanted;
        deflater.setLevel(wanted);
        // Apply the new level now, with no input: zlib flushes what it holds at the old level (as a
        // block boundary) rather than compressing the next content's first chunk at the old level.
        deflater.setInput(NO_INPUT);
        int written;
        do {
            written = drain();
        } while (written == buffer.length);
    }

    private static int levelFor(boolean alreadyCompressed) {
        return alreadyCompressed ? STORED_LEVEL : TEXT_LEVEL;
    }

    private int drain() throws IOException {
        int written = deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH);
        out.write(buffer, 0, written);
        return written;
    }

    @Override
    public void finish() throws IOException {
        deflater.finish();
        while (!deflater.finished()) {
            drain();
        }
        byte[] trailer = new byte[8];
        writeIntLE(trailer, 0, crc.getValue());
        writeIntLE(trailer, 4, inputSize); // ISIZE: the size modulo 2^32
        out.write(trailer);
    }

    private static void writeIntLE(byte[] target, int offset, long value) {
        for (int i = 0; i < 4; i++) {
            target[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public void release() {
        if (!released) {
            released = true;
            deflater.end();
        }
    }
}
