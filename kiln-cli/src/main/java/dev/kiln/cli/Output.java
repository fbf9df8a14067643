package dev.kiln.cli;

import dev.kiln.api.ResultJson;

import java.io.PrintWriter;

/** Machine output: results as JSON documents, durations in milliseconds, times in RFC 3339. */
final class Output {
    private Output() {
    }

    /** {@code sha256:} and the first 12 hex characters, as people read digests. */
    static String shortDigest(String digest) {
        return digest.substring(0, Math.min(digest.length(), "sha256:".length() + 12));
    }

    /** {@code 1 layer}, {@code 2 layers}, {@code 0 layers}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * An image with its digest: {@code registry/repo:tag@sha256:…}, {@code oci:DIR:TAG@sha256:…}; a name
     * that already has the digest as is.
     */
    static String withDigest(String image, String digest) {
        return image.contains("@sha256:") ? image : image + "@" + digest;
    }

    /** {@code document} as one JSON document ({@link ResultJson#write(Object)}), flushed. */
    static void print(PrintWriter out, Object document) {
        out.println(ResultJson.write(document));
        out.flush();
    }
}
