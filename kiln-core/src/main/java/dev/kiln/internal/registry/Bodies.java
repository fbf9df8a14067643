package dev.kiln.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.error.RegistryException;
import dev.kiln.image.ImageJson;

import java.io.IOException;
import java.io.InputStream;

/** Reading and discarding response bodies, and the registry's error body. */
final class Bodies {
    private static final int MAX_SMALL_BODY = 1024 * 1024;

    private Bodies() {
    }

    /** Reads a body that is small by contract (manifests, tokens, errors), refusing oversized ones. */
    static byte[] readSmall(RegistryResponse response) throws IOException {
        return readLimited(response, MAX_SMALL_BODY);
    }

    static byte[] readLimited(RegistryResponse response, int limit) throws IOException {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new RegistryException("response from " + response.uri().getAuthority() + " exceeds " + limit + " bytes");
            }
            return bytes;
        }
    }

    /** Consumes the body so the connection can be reused. */
    static void discard(RegistryResponse response) {
        try (InputStream in = response.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }

    /** The first error of a registry's error body ({@code {"errors":[{"code","message"}]}}), read whole. */
    static ErrorBody errorBody(RegistryResponse response) {
        try {
            JsonNode errors = ImageJson.MAPPER.readTree(readSmall(response)).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                String code = first.path("code").asText("");
                return new ErrorBody(code.isEmpty() ? null : code, first.path("message").asText(""));
            }
        } catch (IOException | RuntimeException ignored) {
            // no usable detail: the status alone will do
        }
        return ErrorBody.NONE;
    }

    /** A registry's error code (null when it sent none) and message (null when it sent no error). */
    record ErrorBody(String code, String message) {
        static final ErrorBody NONE = new ErrorBody(null, null);

        /** For messages: {@code ", CODE: message"}, or nothing. */
        String detail() {
            return message == null ? "" : ", " + (code == null ? "" : code) + ": " + message;
        }
    }
}
