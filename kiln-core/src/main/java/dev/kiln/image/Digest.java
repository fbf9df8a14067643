package dev.kiln.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.kiln.error.InvalidInputException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content digest, {@code algorithm:hex}. Kiln computes and verifies sha256 only; sha512 digests
 * are parsed (they appear in the wild) but content addressed by them cannot be verified.
 */
public record Digest(String algorithm, String hex) {
    private static final java.util.concurrent.atomic.AtomicBoolean WARMED_UP = new java.util.concurrent.atomic.AtomicBoolean();

    /** Checks the hex against the algorithm: 64 lowercase hex characters for sha256, 128 for sha512. */
    public Digest {
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new InvalidInputException("unsupported digest algorithm '" + algorithm + "' (expected sha256)");
        };
        if (!isLowerHex(hex, length)) {
            throw new InvalidInputException("invalid " + algorithm + " digest '" + hex + "': expected "
                    + length + " lowercase hex characters");
        }
    }

    /** A loop, not a regular expression: every manifest read checks dozens, mostly in interpreted code. */
    private static boolean isLowerHex(String hex, int length) {
        if (hex.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = hex.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code algorithm:hex}, as manifests and registries write digests. */
    @JsonCreator
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidInputException("invalid digest '" + text + "': expected algorithm:hex, e.g. sha256:4f2a…");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The sha256 digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        return fromSha256(newSha256().digest(content));
    }

    /** The digest whose hash is {@code digestBytes}, from a SHA-256 engine. */
    public static Digest fromSha256(byte[] digestBytes) {
        return new Digest("sha256", HexFormat.of().formatHex(digestBytes));
    }

    /** A fresh SHA-256 engine, for hashing while copying. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    /**
     * Gets SHA-256 compiled with its CPU intrinsics before the first layer streams in. Without it a
     * short-lived JVM hashes the first tens of MB in interpreted code at a tenth of the speed
     * (measured: ~100 MB/s against ~1.4 GB/s), because the JIT meets the hashing loop late, and
     * later than that on a busy machine. The updates vary in size and alignment, as a tar stream's
     * do: warmed with large aligned updates only, the compiled code was thrown away (deoptimized)
     * at the first partial block of a real layer and compiled again under load a second later.
     * Many calls compile it sooner than many bytes: 8000 updates, 2.5 MB. Runs once per JVM, in the
     * background.
     */
    public static void warmUpSha256() {
        if (WARMED_UP.compareAndSet(false, true)) {
            Thread warmUp = new Thread(() -> {
                // every JVM loads the other SHA engines soon (SecureRandom for temporary files, TLS):
                // loading them first keeps their arrival from invalidating SHA-256's compiled code
                for (String other : new String[]{"SHA-1", "SHA-224", "SHA-384", "SHA-512"}) {
                    try {
                        MessageDigest.getInstance(other).update(new byte[256]);
                    } catch (NoSuchAlgorithmException absent) {
                        // then it cannot arrive later either
                    }
                }
                MessageDigest sha256 = newSha256();
                byte[] block = new byte[1 << 16];
                int[] sizes = {512, 1, 100, 1024, 63, 64, 200, 513};
                for (int i = 0; i < 8000; i++) {
                    int size = sizes[i % sizes.length];
                    sha256.update(block, i % 7, Math.min(size, block.length - i % 7));
                }
                sha256.digest();
            }, "kiln-sha256-warm-up");
            warmUp.setDaemon(true);
            warmUp.setPriority(Thread.MIN_PRIORITY);
            warmUp.start();
        }
    }

    // equals and hashCode by hand: a record's generated ones are linked on first use through method
    // handles (java.lang.runtime.ObjectMethods), 20-30 ms of a short-lived JVM for this hot one

    @Override
    public boolean equals(Object other) {
        return other instanceof Digest digest && hex.equals(digest.hex) && algorithm.equals(digest.algorithm);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + hex.hashCode();
    }

    /** The first 12 hex characters, as humans read digests in logs. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    /** The {@code algorithm:hex} form, as written in JSON. */
    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
