package dev.kiln.bench;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where compressed layer bytes go in the benchmarks: hashed (sha256, the layer's blob digest, as the
 * store's writer hashes them) and counted, then dropped.
 */
final class HashingSink extends OutputStream {
    private final MessageDigest sha256 = sha256();
    private long size;

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(int b) {
        sha256.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        sha256.update(bytes, offset, length);
        size += length;
    }

    long size() {
        return size;
    }

    byte[] digest() {
        return sha256.digest();
    }
}
