package dev.kiln.testing;

import dev.kiln.internal.credentials.CredentialProvider;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * A small Flink-shaped base image pushed to a real registry, as Docker Hub serves {@code flink}: a
 * Docker schema 2 manifest with three gzipped layers (a "JRE", the Flink distribution jar, and
 * {@code /opt/flink/conf} + {@code bin} + the entrypoint script), a config with {@code FLINK_HOME},
 * entrypoint, cmd, exposed ports, a label and a history entry per layer.
 *
 * <p>Layer content is random (seeded per push), so every push is a different image.
 */
public record FlinkBase(Reference reference, RawManifest manifest, byte[] config, Descriptor configDescriptor,
                 List<Descriptor> layers, List<String> diffIds, Map<String, byte[]> files) {

    public static final String BASE_CONF = "jobmanager.rpc.address: from-the-base\n";
    public static final String ENTRYPOINT_SCRIPT = "#!/bin/sh\nexec \"$@\"\n";
    public static final List<String> BASE_ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=/opt/java/openjdk", "FLINK_HOME=/opt/flink");

    private static final AtomicLong SEEDS = new AtomicLong(1818);

    public String ref() {
        return reference.toString();
    }

    public Digest digest() {
        return manifest.digest();
    }

    public long totalLayerBytes() {
        return layers.stream().mapToLong(Descriptor::size).sum();
    }

    /** Pushes a fresh base to {@code registry} under {@code repoAndTag}. */
    public static FlinkBase push(RegistryFixture registry, String repoAndTag) {
        return push(registry, repoAndTag, 0);
    }

    /**
     * Like {@link #push(RegistryFixture, String)}, with {@code emptyLayers} more layers that are all the
     * same empty tar, as BuildKit writes for {@code WORKDIR}: one blob listed several times in the manifest.
     */
    public static FlinkBase push(RegistryFixture registry, String repoAndTag, int emptyLayers) {
        Random random = new Random(SEEDS.incrementAndGet());
        Reference ref = Reference.parse(registry.hostPort() + "/" + repoAndTag);
        RegistryClient client = new RegistryClient(new RegistryTransport(registry.registryOptions(), CredentialProvider.none()),
                new Telemetry(null));

        byte[] modules = randomBytes(random, 120_000);
        byte[] distJar = randomBytes(random, 200_000);
        byte[] flinkScript = ("#!/bin/sh\n# " + random.nextLong() + "\n").getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("opt/java/openjdk/lib/modules", modules);
        files.put("opt/flink/lib/flink-dist.jar", distJar);
        files.put("docker-entrypoint.sh", ENTRYPOINT_SCRIPT.getBytes(StandardCharsets.UTF_8));
        files.put("opt/flink/bin/flink", flinkScript);
        files.put("opt/flink/conf/flink-conf.yaml", BASE_CONF.getBytes(StandardCharsets.UTF_8));
        files.put("opt/flink/conf/log4j-console.properties", "rootLogger.level = INFO\n".getBytes(StandardCharsets.UTF_8));
        List<byte[]> tars = new ArrayList<>();
        tars.add(tar(List.of(
                dir("opt/"), dir("opt/java/"), dir("opt/java/openjdk/"), dir("opt/java/openjdk/lib/"),
                file("opt/java/openjdk/lib/modules", 0644, modules))));
        tars.add(tar(List.of(
                dir("opt/"), dir("opt/flink/"), dir("opt/flink/lib/"),
                file("opt/flink/lib/flink-dist.jar", 0644, distJar))));
        tars.add(tar(List.of(
                file("docker-entrypoint.sh", 0755, files.get("docker-entrypoint.sh")),
                dir("opt/"), dir("opt/flink/"), dir("opt/flink/bin/"),
                file("opt/flink/bin/flink", 0755, flinkScript),
                dir("opt/flink/conf/"),
                file("opt/flink/conf/flink-conf.yaml", 0644, files.get("opt/flink/conf/flink-conf.yaml")),
                file("opt/flink/conf/log4j-console.properties", 0644, files.get("opt/flink/conf/log4j-console.properties")))));

        for (int i = 0; i < emptyLayers; i++) {
            tars.add(tar(List.of()));
        }
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        addLayers(client, ref, tars, layers, diffIds);

        Platform platform = Platform.host();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", platform.architecture());
        config.put("created", "2024-03-01T12:00:00Z");
        config.put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("Env", BASE_ENV);
        runtime.put("Entrypoint", List.of("/docker-entrypoint.sh"));
        runtime.put("Cmd", List.of("help"));
        runtime.put("WorkingDir", "/opt/flink");
        runtime.put("ExposedPorts", Map.of("6123/tcp", Map.of(), "8081/tcp", Map.of()));
        runtime.put("Labels", Map.of("org.apache.flink.version", "1.18.1"));
        runtime.put("StopSignal", "SIGTERM"); // a field Kiln does not model: must pass through
        config.put("config", runtime);
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        List<Map<String, Object>> history = new ArrayList<>(List.of(
                Map.of("created", "2024-03-01T12:00:00Z", "created_by", "ADD jre /opt/java/openjdk"),
                Map.of("created", "2024-03-01T12:00:00Z", "created_by", "ADD flink-dist.jar /opt/flink/lib/"),
                Map.of("created", "2024-03-01T12:00:00Z", "created_by", "COPY conf bin docker-entrypoint.sh")));
        for (int i = 0; i < emptyLayers; i++) {
            history.add(Map.of("created", "2024-03-01T12:00:00Z", "created_by", "WORKDIR /opt/flink"));
        }
        history.add(Map.of("created", "2024-03-01T12:00:00Z", "created_by", "ENTRYPOINT [\"/docker-entrypoint.sh\"]",
                "empty_layer", true));
        config.put("history", history);
        byte[] configBytes = ImageJson.write(config);
        Descriptor configDescriptor = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(configBytes), configBytes.length);
        RawManifest raw = putImage(client, ref, configBytes, layers);
        return new FlinkBase(ref, raw, configBytes, configDescriptor, List.copyOf(layers), List.copyOf(diffIds),
                Collections.unmodifiableMap(files));
    }

    /** Gzips and uploads each tar (once per digest), adding its descriptor to {@code layers} and its diff id to {@code diffIds}. */
    static void addLayers(RegistryClient client, Reference ref, List<byte[]> tars, List<Descriptor> layers, List<String> diffIds) {
        for (byte[] tar : tars) {
            byte[] gzipped = gzip(tar);
            Descriptor layer = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, Digest.sha256(gzipped), gzipped.length);
            if (!layers.contains(layer)) {
                client.uploadBlob(ref.registry(), ref.repository(), layer.digest(), gzipped.length, () -> new ByteArrayInputStream(gzipped));
            }
            layers.add(layer);
            diffIds.add(Digest.sha256(tar).toString());
        }
    }

    /** Uploads {@code configBytes} and puts a Docker schema 2 manifest of it and {@code layers} (already uploaded) under {@code ref}. */
    static RawManifest putImage(RegistryClient client, Reference ref, byte[] configBytes, List<Descriptor> layers) {
        Descriptor configDescriptor = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(configBytes), configBytes.length);
        client.uploadBlob(ref.registry(), ref.repository(), configDescriptor.digest(), configBytes.length,
                () -> new ByteArrayInputStream(configBytes));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        manifest.put("config", configDescriptor);
        manifest.put("layers", layers);
        RawManifest raw = RawManifest.of(ImageJson.write(manifest), MediaTypes.DOCKER_MANIFEST);
        client.putManifest(ref, raw);
        return raw;
    }

    private record Entry(String name, int mode, byte[] content) {
    }

    private static Entry dir(String name) {
        return new Entry(name, 0755, null);
    }

    private static Entry file(String name, int mode, byte[] content) {
        return new Entry(name, mode, content);
    }

    private static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(e.name());
                entry.setMode((e.content() == null ? 040000 : 0100000) | e.mode());
                entry.setModTime(1_709_294_400_000L);
                if (e.content() != null) {
                    entry.setSize(e.content().length);
                }
                tar.putArchiveEntry(entry);
                if (e.content() != null) {
                    tar.write(e.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
