package dev.kiln.testing;

import dev.kiln.internal.credentials.Credential;
import dev.kiln.internal.credentials.CredentialProvider;
import dev.kiln.internal.credentials.StaticCredentials;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.internal.registry.RegistryClient;
import dev.kiln.internal.registry.RegistryTransport;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Makes test images (random gzipped tar layers, a config, a manifest; or an index of several
 * platforms with a BuildKit-style attestation entry) and pushes them with Kiln's registry client.
 */
public final class TestImages {

    /** A pushed single-platform image. */
    public record Pushed(Reference reference, RawManifest manifest, Descriptor config, List<Descriptor> layers, Platform platform) {
        public Digest digest() {
            return manifest.digest();
        }

        public long totalLayerBytes() {
            return layers.stream().mapToLong(Descriptor::size).sum();
        }

        /** Manifest, config and layers: what the image takes in a store. */
        public long totalBytes() {
            return manifest.bytes().length + config.size() + totalLayerBytes();
        }

        /** The reference as text, as a user types it. */
        public String ref() {
            return reference.toString();
        }
    }

    /** A pushed index and its per-platform images. */
    public record PushedIndex(Reference reference, RawManifest index, Map<String, Pushed> images, Descriptor attestation) {
    }

    private final RegistryFixture registry;
    private final RegistryClient client;
    private final Random random;

    public TestImages(RegistryFixture registry, long seed) {
        this.registry = registry;
        CredentialProvider credentials = registry.credentials() == null ? CredentialProvider.none()
                : StaticCredentials.of(registry.hostPort(), Credential.basic(registry.username(), registry.password()));
        this.client = new RegistryClient(new RegistryTransport(registry.registryOptions(), credentials), new Telemetry(null));
        this.random = new Random(seed);
    }

    /** Pushes a {@code platform} image with {@code layerSizes.length} layers of random content under {@code repoAndTag}. */
    public Pushed push(String repoAndTag, Platform platform, int... layerSizes) {
        Reference ref = Reference.parse(registry.hostPort() + "/" + repoAndTag);
        Pushed image = pushUntagged(ref, platform, layerSizes);
        client.putManifest(ref, image.manifest());
        return image;
    }

    /** Pushes one image per platform, then an OCI index over them (plus an attestation entry) under the tag. */
    public PushedIndex pushIndex(String repoAndTag, List<Platform> platforms, int... layerSizes) {
        Reference ref = Reference.parse(registry.hostPort() + "/" + repoAndTag);
        Map<String, Pushed> images = new LinkedHashMap<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Platform platform : platforms) {
            Pushed image = pushUntagged(ref, platform, layerSizes);
            images.put(platform.toString(), image);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("mediaType", MediaTypes.OCI_MANIFEST);
            entry.put("digest", image.digest().toString());
            entry.put("size", image.manifest().bytes().length);
            entry.put("platform", platform);
            entries.add(entry);
        }
        // BuildKit's provenance entry: an "image" of platform unknown/unknown that must never be chosen
        Pushed attestation = pushUntagged(ref, Platform.of("unknown", "unknown", null), 64);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mediaType", MediaTypes.OCI_MANIFEST);
        entry.put("digest", attestation.digest().toString());
        entry.put("size", attestation.manifest().bytes().length);
        entry.put("platform", Map.of("os", "unknown", "architecture", "unknown"));
        entry.put("annotations", Map.of("vnd.docker.reference.type", "attestation-manifest",
                "vnd.docker.reference.digest", images.values().iterator().next().digest().toString()));
        entries.add(entry);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", entries);
        RawManifest raw = RawManifest.of(ImageJson.write(index), MediaTypes.OCI_INDEX);
        client.putManifest(ref, raw);
        return new PushedIndex(ref, raw, images, attestation.manifest().descriptor());
    }

    private Pushed pushUntagged(Reference ref, Platform platform, int... layerSizes) {
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            byte[] tar = tar("layer" + i + "/data-" + random.nextInt(1_000_000), randomBytes(layerSizes[i]));
            byte[] gzipped = gzip(tar);
            Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(gzipped), gzipped.length);
            upload(ref, layer.digest(), gzipped);
            layers.add(layer);
            diffIds.add(Digest.sha256(tar).toString());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2026-01-01T00:00:00Z");
        config.put("architecture", platform.architecture());
        config.put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        config.put("config", Map.of("Env", List.of("PATH=/usr/bin:/bin", "FLINK_HOME=/opt/flink"),
                "Entrypoint", List.of("/docker-entrypoint.sh"), "Cmd", List.of("help"), "WorkingDir", "/opt/flink",
                "ExposedPorts", Map.of("8081/tcp", Map.of())));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = ImageJson.write(config);
        Descriptor configDescriptor = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(configBytes), configBytes.length);
        upload(ref, configDescriptor.digest(), configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", configDescriptor);
        manifest.put("layers", layers);
        RawManifest raw = RawManifest.of(ImageJson.write(manifest), MediaTypes.OCI_MANIFEST);
        client.putManifest(ref.withDigest(raw.digest()), raw);
        return new Pushed(ref, raw, configDescriptor, layers, platform);
    }

    private void upload(Reference ref, Digest digest, byte[] content) {
        if (!client.blobExists(ref.registry(), ref.repository(), digest, RegistryClient.pushScope(ref.repository()))) {
            client.uploadBlob(ref.registry(), ref.repository(), digest, content.length, () -> new ByteArrayInputStream(content));
        }
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] tar(String name, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
