package dev.kiln.cli;

import dev.kiln.credentials.CredentialProvider;
import dev.kiln.event.Telemetry;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.Platform;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import dev.kiln.registry.RegistryClient;
import dev.kiln.registry.RegistryOptions;
import dev.kiln.registry.RegistryTransport;
import dev.kiln.testing.RegistryFixture;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Pushes random test images to a {@link RegistryFixture}, like kiln-core's {@code TestImages}.
 * <p>
 * kiln-core's {@code TestImages} builds its tars with commons-compress, which kiln-core declares
 * with test scope, so it is not on kiln-cli's test class path (test-scoped dependencies of the
 * test-jar are not transitive) and using it here fails with {@code NoClassDefFoundError}. This
 * class writes the (single-entry, ustar) tars itself and is otherwise the same: gzipped random
 * layers, a config with Env/Entrypoint/Cmd/WorkingDir/ExposedPorts and created
 * {@code 2026-01-01T00:00:00Z}, an OCI manifest, optionally an OCI index.
 */
final class CliImages {

    /** A pushed single-platform image. */
    record Pushed(Reference reference, RawManifest manifest, Descriptor config, List<Descriptor> layers, Platform platform) {
        Digest digest() {
            return manifest.digest();
        }

        long totalLayerBytes() {
            return layers.stream().mapToLong(Descriptor::size).sum();
        }

        /** Manifest, config and layers: every blob a pull of this image stores. */
        long totalBytes() {
            return manifest.bytes().length + config.size() + totalLayerBytes();
        }

        String ref() {
            return reference.toString();
        }
    }

    /** A pushed index and its per-platform images. */
    record PushedIndex(Reference reference, RawManifest index, Map<String, Pushed> images) {
    }

    private final RegistryFixture registry;
    private final RegistryClient client;
    private final Random random;

    CliImages(RegistryFixture registry, long seed) {
        this.registry = registry;
        this.client = new RegistryClient(new RegistryTransport(RegistryOptions.defaults(), CredentialProvider.none()),
                new Telemetry(null));
        this.random = new Random(seed);
    }

    /** Pushes a {@code platform} image with one random layer per size under {@code repoAndTag}. */
    Pushed push(String repoAndTag, Platform platform, int... layerSizes) {
        Reference ref = Reference.parse(registry.hostPort() + "/" + repoAndTag);
        Pushed image = pushUntagged(ref, platform, layerSizes);
        client.putManifest(ref, image.manifest());
        return new Pushed(ref, image.manifest(), image.config(), image.layers(), platform);
    }

    /** Pushes one image per platform and an OCI index over them under the tag. */
    PushedIndex pushIndex(String repoAndTag, List<Platform> platforms, int... layerSizes) {
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
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", entries);
        RawManifest raw = RawManifest.of(ImageJson.write(index), MediaTypes.OCI_INDEX);
        client.putManifest(ref, raw);
        return new PushedIndex(ref, raw, images);
    }

    private Pushed pushUntagged(Reference ref, Platform platform, int... layerSizes) {
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            byte[] content = new byte[layerSizes[i]];
            random.nextBytes(content);
            byte[] tar = tar("layer" + i + "/data-" + random.nextInt(1_000_000), content);
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
        return new Pushed(ref.withDigest(raw.digest()), raw, configDescriptor, layers, platform);
    }

    private void upload(Reference ref, Digest digest, byte[] content) {
        if (!client.blobExists(ref.registry(), ref.repository(), digest, RegistryClient.pushScope(ref.repository()))) {
            client.uploadBlob(ref.registry(), ref.repository(), digest, content.length, () -> new ByteArrayInputStream(content));
        }
    }

    /** A POSIX ustar archive holding one regular file. */
    static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, 100, name);
        put(header, 100, 8, "0000644");
        put(header, 108, 8, "0000000");
        put(header, 116, 8, "0000000");
        put(header, 124, 12, String.format("%011o", content.length));
        put(header, 136, 12, String.format("%011o", 1_767_225_600L)); // 2026-01-01T00:00:00Z
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, 6, "ustar");
        put(header, 263, 2, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, 7, String.format("%06o", sum));
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 2048);
        out.writeBytes(header);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > length) {
            throw new IllegalArgumentException("tar header field too long: " + value);
        }
        System.arraycopy(bytes, 0, header, offset, bytes.length);
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
