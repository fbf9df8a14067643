package dev.kiln.internal.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A request body of known length that can be opened again, so a retried or re-authenticated
 * request sends it whole once more (blobs are re-read from the store, never buffered); or, when
 * not {@code repeatable}, one that is read as it arrives and can be sent once only.
 */
public record RequestBody(Supplier<InputStream> content, long length, boolean repeatable) {
    public static final RequestBody EMPTY = of(new byte[0]);

    public RequestBody(Supplier<InputStream> content, long length) {
        this(content, length, true);
    }

    /**
     * A body sent from {@code stream} as it is read, once: a request that would send it again (a retry,
     * a re-authentication) fails instead, and the caller decides what to send then.
     */
    public static RequestBody once(InputStream stream, long length) {
        AtomicBoolean taken = new AtomicBoolean();
        return new RequestBody(() -> {
            if (taken.getAndSet(true)) {
                throw new UncheckedIOException(new IOException("a streamed request body cannot be sent twice"));
            }
            return stream;
        }, length, false);
    }

    public static RequestBody of(byte[] bytes) {
        return new RequestBody(() -> new ByteArrayInputStream(bytes), bytes.length);
    }

    public static RequestBody of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }
}
