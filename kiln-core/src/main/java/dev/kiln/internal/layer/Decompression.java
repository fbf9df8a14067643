package dev.kiln.internal.layer;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** A tar stream, compressed or not, told apart by content (gzip, bzip2, zstd, or plain): layers and ADD's archives. */
public final class Decompression {
    private Decompression() {
    }

    /** The decompressed stream of {@code raw}, which it takes over. */
    public static InputStream open(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 64 * 1024);
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return new BZip2CompressorInputStream(in);
        }
        if (Arrays.equals(magic, new byte[]{0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) {
            return new ZstdInputStream(in);
        }
        return in;
    }
}
