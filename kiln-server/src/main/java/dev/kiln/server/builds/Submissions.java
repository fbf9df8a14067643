package dev.kiln.server.builds;

import dev.kiln.image.Reference;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Json;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /api/v1/builds}: the multipart request read into a build directory of its own (parts
 * stream to disk, at most {@code maxBytes} each and in all), checked, and handed to the
 * {@link BuildService}. A request refused for any reason leaves nothing behind.
 *
 * @param held      the files kept by digest
 * @param buildsDir where the builds' directories go
 */
public record Submissions(BuildService service, FileStore held, Path buildsDir, long maxBytes) {
    private static final int MAX_REQUEST_JSON = 1 << 20;
    private static final int IN_MEMORY_PART = 64 * 1024;

    /** Reads, checks and queues the build in {@code request}, submitted by {@code submitter}. */
    public Job submit(HttpServletRequest request, String submitter) {
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiException.badRequest("expected multipart/form-data: a part named request (the build, JSON) and one part per file");
        }
        Path dir = buildsDir.resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(dir.resolve("parts"));
            request.setAttribute("org.eclipse.jetty.multipartConfig",
                    new MultipartConfigElement(dir.toString(), maxBytes, maxBytes, IN_MEMORY_PART));
            String json = null;
            Map<String, Path> files = new LinkedHashMap<>();
            for (Part part : parts(request)) {
                String name = part.getName();
                if (name.equals("request")) {
                    json = text(part);
                } else {
                    BuildFiles.checkPartName(name);
                    if (files.containsKey(name)) {
                        throw ApiException.badRequest("two parts are named '" + name + "'");
                    }
                    Path file = dir.resolve("parts").resolve(name);
                    // moves the part's temporary file there (Part.delete() would then remove it)
                    part.write(file.toString());
                    files.put(name, file);
                }
            }
            if (json == null) {
                throw ApiException.badRequest("no part named request: it describes the build, as JSON");
            }
            BuildSpec spec = Json.read(json, BuildSpec.class, "request");
            Work work = BuildRequests.prepare(spec, new BuildFiles(dir, files, spec.files(), held));
            return service.submit(spec.kind(), Reference.parse(spec.to()).toString(), submitter, json, work, dir);
        } catch (IOException e) {
            BuildServiceFiles.delete(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            BuildServiceFiles.delete(dir);
            throw e;
        }
    }

    private Iterable<Part> parts(HttpServletRequest request) throws IOException {
        try {
            return request.getParts();
        } catch (IllegalStateException e) {
            // Jetty's words for a part or request over the limits
            throw new ApiException(413, "the upload is larger than the limit of " + maxBytes + " bytes (server.uploads.maxBytes)");
        } catch (ServletException e) {
            throw ApiException.badRequest("malformed multipart body: " + e.getMessage());
        }
    }

    private static String text(Part part) throws IOException {
        if (part.getSize() > MAX_REQUEST_JSON) {
            throw new ApiException(413, "the request part is larger than " + MAX_REQUEST_JSON + " bytes");
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            part.delete();
        }
    }
}
