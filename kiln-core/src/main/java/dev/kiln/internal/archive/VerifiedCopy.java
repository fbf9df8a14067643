package dev.kiln.internal.archive;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Streams one blob from a {@link BlobReader} to an output through a fixed buffer, hashing as it goes:
 * layers can be gigabytes, so they are never held in memory, and they are verified on the way rather
 * than in a second pass.
 */
final class VerifiedCopy {
    static final int BUFFER_SIZE = 64 * 1024;

    private VerifiedCopy() {
    }

    /** Only sha256 can be verified, and a writer never emits what it has not verified. */
    static void requireSha256(Descriptor descriptor, String what) {
        if (descriptor == null || descriptor.digest() == null) {
            throw new InvalidInputException(what + " has no digest");
        }
        if (!descriptor.digest().algorithm().equals("sha256")) {
            throw new InvalidInputException(what + " " + descriptor.digest()
                    + " cannot be verified: only sha256 digests are supported");
        }
        if (descriptor.size() < 0) {
            throw new InvalidInputException(what + " " + descriptor.digest() + " has a negative size");
        }
    }

    /**
     * Copies the blob of {@code expected} into {@code out}, failing as soon as it is longer than
     * expected and at the end when its size or digest differ. Failures of the source are
     * {@link StoreException}s; failures of {@code out} are thrown as they are, for the caller to name
     * its target.
     *
     * @throws DigestMismatchException if the content is not what {@code expected} describes
     */
    static void copy(BlobReader reader, Descriptor expected, OutputStream out, byte[] buffer) throws IOException {
        Digest digest = expected.digest();
        InputStream in;
        try {
            in = reader.open(digest);
        } catch (IOException e) {
            throw new StoreException("cannot read blob " + digest + ": " + ArchiveFiles.describe(e), e);
        }
        if (in == null) {
            throw new StoreException("cannot read blob " + digest + ": the blob source has no content for it");
        }
        MessageDigest sha256 = Digest.newSha256();
        long copied = 0;
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new StoreException("cannot read blob " + digest + ": " + ArchiveFiles.describe(e), e);
                }
                if (n < 0) {
                    break;
                }
                if (copied + n > expected.size()) {
                    throw new DigestMismatchException("blob " + digest + " is longer than the " + expected.size()
                            + " bytes its descriptor says; refusing to write it");
                }
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
                copied += n;
            }
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // everything needed was read (or the copy already failed)
            }
        }
        if (copied != expected.size()) {
            throw new DigestMismatchException("blob " + digest + " has " + copied + " bytes, its descriptor says "
                    + expected.size() + "; refusing to write it");
        }
        Digest actual = Digest.fromSha256(sha256.digest());
        if (!actual.equals(digest)) {
            throw new DigestMismatchException("blob " + digest + " has content with digest " + actual
                    + "; refusing to write it");
        }
    }
}
