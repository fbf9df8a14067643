package dev.kiln.internal.registry;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A request body of known length that can be opened again, so a retried or re-authenticated
 * request sends it whole once more (blobs are re-read from the store, never buffered).
 */
public record RequestBody(Supplier<InputStream> content, long length) {
    public static final RequestBody EMPTY = of(new byte[0]);

    public static RequestBody of(byte[] bytes) {
        return new RequestBody(() -> new ByteArrayInputStream(bytes), bytes.length);
    }

    public static RequestBody of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }
}
