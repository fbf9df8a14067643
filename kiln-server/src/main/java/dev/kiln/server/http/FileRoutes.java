package dev.kiln.server.http;

import dev.kiln.server.auth.Role;
import dev.kiln.server.builds.FileStore;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Files the server holds by digest, so that a client uploads each once: {@code POST /api/v1/files/missing}
 * ({@code {"digests": […]}} → {@code {"missing": […]}}) and {@code PUT /api/v1/files/sha256:…} (the body,
 * verified against the digest).
 *
 * @param maxBytes the most an upload may hold
 */
public record FileRoutes(FileStore files, long maxBytes) {
    private static final int MAX_DIGESTS = 10_000;

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.post("/api/v1/files/missing", this::missing, Role.BUILD);
        app.put("/api/v1/files/{digest}", this::put, Role.BUILD);
    }

    /** {@code POST /api/v1/files/missing}'s body. */
    record Digests(List<String> digests) {
    }

    private void missing(Context ctx) {
        Digests asked = Json.read(ctx.body(), Digests.class, "files/missing");
        if (asked.digests() == null || asked.digests().size() > MAX_DIGESTS) {
            throw ApiException.badRequest("digests: give a list of at most " + MAX_DIGESTS + " digests");
        }
        ctx.json(Map.of("missing", files.missing(asked.digests())));
    }

    private void put(Context ctx) throws IOException {
        String digest = ctx.pathParam("digest");
        long length = ctx.req().getContentLengthLong();
        if (length > maxBytes) {
            throw new ApiException(413, "the file is larger than the upload limit of " + maxBytes + " bytes (server.uploads.maxBytes)");
        }
        try (InputStream body = ctx.req().getInputStream()) {
            files.put(digest, body, maxBytes);
        }
        ctx.status(201).json(Map.of("digest", digest));
    }
}
