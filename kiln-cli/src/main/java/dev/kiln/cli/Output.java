package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Machine output: results as JSON documents, durations in milliseconds, times in RFC 3339. */
final class Output {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Output() {
    }

    static ObjectNode tree(Object result) {
        return JSON.valueToTree(result);
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

    static void print(PrintWriter out, Object document) {
        try {
            out.println(JSON.writeValueAsString(document));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
