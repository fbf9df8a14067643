package dev.kiln.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A {@code multipart/form-data} body for java.net.http, files streamed from disk. */
final class Multipart {
    private final String boundary = "kiln-" + UUID.randomUUID();
    private final List<HttpRequest.BodyPublisher> parts = new ArrayList<>();

    /** The build request part. */
    Multipart request(String json) {
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + json + "\r\n", StandardCharsets.UTF_8));
        return this;
    }

    /** A file part named {@code name}. */
    Multipart file(String name, Path file) {
        try {
            parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                    + "\"; filename=\"" + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n", StandardCharsets.UTF_8));
            parts.add(HttpRequest.BodyPublishers.ofFile(file));
            parts.add(HttpRequest.BodyPublishers.ofString("\r\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    HttpRequest.BodyPublisher body() {
        List<HttpRequest.BodyPublisher> all = new ArrayList<>(parts);
        all.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        return HttpRequest.BodyPublishers.concat(all.toArray(HttpRequest.BodyPublisher[]::new));
    }
}
