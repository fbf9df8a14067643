package dev.kiln.internal.registry;

import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.ImageNotFoundException;
import dev.kiln.error.RegistryException;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The OCI distribution API for one operation: manifests and blobs, read and written. Requests and
 * bytes are counted in the operation's {@link Telemetry}. Cheap to create; the shared state
 * (connections, tokens) lives in the {@link RegistryTransport}.
 */
public record RegistryClient(RegistryTransport transport, Telemetry telemetry) {
    private static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST_ACCEPT);

    public static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    public static String pushScope(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    /**
     * Asks the registry's API root ({@code GET /v2/}), authenticating as it asks (Basic, or a token for
     * no repository): how {@code docker login} checks credentials. A refusal is an
     * {@link dev.kiln.error.AuthenticationException}.
     */
    public void checkAccess(String registry) {
        RegistryResponse response = transport.send(RegistryTransport.Call.of(registry, "GET", "", null, "GET /v2/"), telemetry);
        if (response.statusCode() != 200) {
            throw RegistryErrors.unexpected(registry, response, "GET /v2/");
        }
        Bodies.discard(response);
    }

    /**
     * The descriptor a tag or digest currently resolves to, from one HEAD request; empty when the
     * registry does not say the digest (then a GET is needed). A missing image is an error.
     */
    public Optional<Descriptor> headManifest(Reference ref) {
        RegistryResponse response = sendHead(ref);
        checkManifestStatus(ref, response, "HEAD");
        return descriptor(response);
    }

    /** Like {@link #headManifest}, for a target that may not exist yet: empty when it does not. */
    public Optional<Descriptor> findManifest(Reference ref) {
        RegistryResponse response = sendHead(ref);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        checkManifestStatus(ref, response, "HEAD");
        return descriptor(response);
    }

    private RegistryResponse sendHead(Reference ref) {
        RegistryResponse response = transport.send(manifestCall(ref, "HEAD").withHeaders(Map.of("Accept", ACCEPT)), telemetry);
        Bodies.discard(response);
        return response;
    }

    private static Optional<Descriptor> descriptor(RegistryResponse response) {
        Optional<String> digest = response.header("Docker-Content-Digest");
        if (digest.isEmpty()) {
            return Optional.empty();
        }
        String type = response.header("Content-Type").orElse("").split(";", 2)[0].strip();
        long size = response.headerLong("Content-Length").orElse(-1);
        return Optional.of(Descriptor.of(type, Digest.parse(digest.get()), size));
    }

    /** The manifest or index {@code ref} names, verified against the digest when one is known. */
    public RawManifest getManifest(Reference ref) {
        RegistryResponse response = transport.send(manifestCall(ref, "GET")
                .withHeaders(Map.of("Accept", ACCEPT)), telemetry);
        byte[] bytes;
        try {
            checkManifestStatus(ref, response, "GET");
            bytes = Bodies.readLimited(response, ImageJson.MAX_MANIFEST_BYTES);
        } catch (IOException e) {
            throw new RegistryException("reading manifest of " + ref + " failed: " + RegistryErrors.rootMessage(e),
                    ref.registry(), response.statusCode(), null, e);
        }
        telemetry.countDownloaded(bytes.length);
        RawManifest manifest;
        try {
            manifest = RawManifest.of(bytes, response.header("Content-Type").orElse(null));
        } catch (RegistryException e) {
            throw new RegistryException("the manifest of " + ref + " from " + ref.registry() + " is unusable: " + e.getMessage()
                    + "; nothing was stored", ref.registry(), response.statusCode(), null, e);
        }
        Optional<Digest> expected = ref.isPinned() ? Optional.of(ref.digest())
                : response.header("Docker-Content-Digest").map(Digest::parse);
        if (expected.isPresent() && !expected.get().equals(manifest.digest())) {
            throw new DigestMismatchException("manifest of " + ref + " does not match its digest: expected "
                    + expected.get() + ", got " + manifest.digest() + "; nothing was stored");
        }
        return manifest;
    }

    public boolean blobExists(String registry, String repository, Digest digest, String scope) {
        RegistryResponse response = transport.send(RegistryTransport.Call.of(registry, "HEAD",
                repository + "/blobs/" + digest, scope, "blob HEAD " + digest.shortHex()), telemetry);
        Bodies.discard(response);
        return switch (response.statusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw RegistryErrors.unexpected(registry, response, "blob HEAD " + digest.shortHex());
        };
    }

    /**
     * Opens the blob's content from byte {@code offset} on (HTTP Range), following redirects to
     * blob storage. The caller verifies the digest while it consumes the stream.
     */
    public BlobStream openBlob(String registry, String repository, Digest digest, long offset) {
        Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        String what = "blob GET " + digest.shortHex();
        RegistryResponse response = transport.send(RegistryTransport.Call.of(registry, "GET",
                repository + "/blobs/" + digest, pullScope(repository), what).withHeaders(headers), telemetry);
        int status = response.statusCode();
        if (status == 200 || status == 206) {
            long length = response.headerLong("Content-Length").orElse(-1);
            return new BlobStream(response.body(), status == 206 ? offset : 0, length);
        }
        if (status == 404) {
            throw new ImageNotFoundException("blob " + digest + " not found in " + registry + "/" + repository, registry, 404,
                    Bodies.errorBody(response).code(), null);
        }
        throw RegistryErrors.unexpected(registry, response, what);
    }

    /** A blob body and where it starts: {@code start} is 0 when the server ignored the Range. */
    public record BlobStream(InputStream body, long start, long length) {
    }

    /**
     * Uploads a blob in one request (POST to open the session, PUT with the content and digest);
     * the registry verifies the digest. {@code content} is opened again if the PUT is retried.
     */
    public void uploadBlob(String registry, String repository, Digest digest, long size, Supplier<InputStream> content) {
        String scope = pushScope(repository);
        String location = startUpload(registry, repository, scope);
        String what = "blob upload " + digest.shortHex();
        RequestBody body = new RequestBody(content, size);
        long chunk = transport.options().uploadChunkSize();
        if (size > chunk) {
            // chunked: each PATCH is a bounded request, and the registry acknowledges every chunk
            for (long offset = 0; offset < size; offset += chunk) {
                long length = Math.min(chunk, size - offset);
                RegistryResponse patched = transport.send(new RegistryTransport.Call(registry, "PATCH", location,
                        Map.of("Content-Type", "application/octet-stream", "Content-Range", offset + "-" + (offset + length - 1)),
                        slice(content, offset, length), scope, what + " (chunk at " + offset + ")"), telemetry);
                if (patched.statusCode() != 202) {
                    throw RegistryErrors.unexpected(registry, patched, what + " (chunk at " + offset + ")");
                }
                Bodies.discard(patched);
                location = patched.uri().resolve(patched.header("Location").orElse(location)).toString();
            }
            body = RequestBody.EMPTY;
        }
        String target = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
        RegistryResponse response = transport.send(new RegistryTransport.Call(registry, "PUT", target,
                Map.of("Content-Type", "application/octet-stream"), body, scope, what), telemetry);
        if (response.statusCode() != 201) {
            throw RegistryErrors.unexpected(registry, response, what);
        }
        Bodies.discard(response);
    }

    /** Bytes {@code offset} to {@code offset + length} of the content, re-openable. */
    private static RequestBody slice(Supplier<InputStream> content, long offset, long length) {
        return new RequestBody(() -> {
            InputStream in = content.get();
            try {
                in.skipNBytes(offset);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Slice(in, length);
        }, length);
    }

    /** At most {@code remaining} bytes of a stream. */
    private static final class Slice extends java.io.FilterInputStream {
        private long remaining;

        Slice(InputStream in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read() throws java.io.IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            remaining -= b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, remaining));
            remaining -= Math.max(n, 0);
            return n;
        }
    }

    /**
     * Asks the registry to link a blob from another repository into {@code repository} without
     * transferring it. Returns false when the registry declined (it then opened an upload session,
     * which is simply abandoned) so the caller uploads instead.
     */
    public boolean mountBlob(String registry, String repository, Digest digest, String fromRepository) {
        String scope = pushScope(repository) + " " + pullScope(fromRepository);
        String path = repository + "/blobs/uploads/?mount=" + digest + "&from=" + fromRepository;
        RegistryResponse response = transport.send(RegistryTransport.Call.of(registry, "POST", path, scope,
                "blob mount " + digest.shortHex()).withBody(RequestBody.EMPTY), telemetry);
        Bodies.discard(response);
        return switch (response.statusCode()) {
            case 201 -> true;
            case 202 -> false;
            default -> throw RegistryErrors.unexpected(registry, response, "blob mount " + digest.shortHex() + " from " + fromRepository);
        };
    }

    private String startUpload(String registry, String repository, String scope) {
        RegistryResponse response = transport.send(RegistryTransport.Call.of(registry, "POST",
                repository + "/blobs/uploads/", scope, "upload start").withBody(RequestBody.EMPTY), telemetry);
        if (response.statusCode() != 202) {
            throw RegistryErrors.unexpected(registry, response, "upload start in " + repository);
        }
        Bodies.discard(response);
        String location = response.header("Location")
                .orElseThrow(() -> new RegistryException("registry " + registry + " started an upload without a Location",
                        registry, response.statusCode(), null, null));
        return response.uri().resolve(location).toString();
    }

    /** Puts a manifest under {@code ref}'s tag (or digest); returns the digest the registry computed. */
    public Digest putManifest(Reference ref, RawManifest manifest) {
        RegistryResponse response = transport.send(new RegistryTransport.Call(ref.registry(), "PUT",
                ref.repository() + "/manifests/" + ref.identifier(), Map.of("Content-Type", manifest.mediaType()),
                RequestBody.of(manifest.bytes()), pushScope(ref.repository()),
                "manifest PUT " + ref), telemetry);
        if (response.statusCode() != 201) {
            throw RegistryErrors.unexpected(ref.registry(), response, "manifest PUT " + ref);
        }
        Bodies.discard(response);
        Digest digest = response.header("Docker-Content-Digest").map(Digest::parse).orElse(manifest.digest());
        if (!digest.equals(manifest.digest())) {
            throw new DigestMismatchException("registry " + ref.registry() + " stored manifest " + ref + " as " + digest
                    + " but its content is " + manifest.digest());
        }
        return digest;
    }

    private RegistryTransport.Call manifestCall(Reference ref, String method) {
        return RegistryTransport.Call.of(ref.registry(), method, ref.repository() + "/manifests/" + ref.identifier(),
                pullScope(ref.repository()), "manifest " + method + " " + ref);
    }

    private static void checkManifestStatus(Reference ref, RegistryResponse response, String method) {
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        if (status == 404) {
            throw new ImageNotFoundException("image not found: " + ref + " (the registry has no such "
                    + (ref.isPinned() ? "digest" : "repository or tag") + ")", ref.registry(), 404,
                    Bodies.errorBody(response).code(), null);
        }
        throw RegistryErrors.unexpected(ref.registry(), response, "manifest " + method + " " + ref);
    }

}
