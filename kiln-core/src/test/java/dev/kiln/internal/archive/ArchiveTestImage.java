package dev.kiln.internal.archive;

import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * A small, valid image made the way real tools make one: two layers packed by GNU {@code tar -czf}
 * from directories of known files, an OCI config whose {@code rootfs.diff_ids} are the sha256 of the
 * uncompressed tars, and an OCI manifest. Layer 2 overwrites a file of layer 1, so unpacking in the
 * wrong order shows.
 */
final class ArchiveTestImage {
    /** What the unpacked root file system must hold, path to content. */
    static final Map<String, String> EXPECTED_FILES = Map.of(
            "etc/greeting.txt", "hello from layer one\n",
            "app/version.txt", "version two\n",
            "app/run.sh", "#!/bin/sh\necho running\n");

    final Path layer1;
    final Path layer2;
    final Descriptor layer1Descriptor;
    final Descriptor layer2Descriptor;
    final List<Digest> diffIds;
    final byte[] config;
    final Descriptor configDescriptor;
    final RawManifest manifest;
    /** Every digest the reader was asked for, in order. */
    final List<Digest> reads = new CopyOnWriteArrayList<>();
    private final Map<Digest, Path> blobFiles = new LinkedHashMap<>();

    private ArchiveTestImage(Path layer1, Path layer2, List<Digest> diffIds, byte[] config, String annotation) {
        this.layer1 = layer1;
        this.layer2 = layer2;
        this.layer1Descriptor = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, sha256(layer1), size(layer1));
        this.layer2Descriptor = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, sha256(layer2), size(layer2));
        this.diffIds = diffIds;
        this.config = config;
        this.configDescriptor = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        this.manifest = RawManifest.of(manifestJson(annotation), null);
        blobFiles.put(layer1Descriptor.digest(), layer1);
        blobFiles.put(layer2Descriptor.digest(), layer2);
    }

    /** Builds the image's layers in {@code work} with GNU tar. */
    static ArchiveTestImage build(Path work) throws IOException {
        return build(work, "");
    }

    /** Like {@link #build(Path)}; {@code variant} changes one file so the layer (and image) differ. */
    static ArchiveTestImage build(Path work, String variant) throws IOException {
        Path root1 = Files.createDirectories(work.resolve("layer1-root"));
        write(root1.resolve("etc/greeting.txt"), "hello from layer one\n" + variant);
        write(root1.resolve("app/version.txt"), "version one\n");
        Path root2 = Files.createDirectories(work.resolve("layer2-root"));
        write(root2.resolve("app/version.txt"), "version two\n");
        Path script = write(root2.resolve("app/run.sh"), "#!/bin/sh\necho running\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path layer1 = work.resolve("layer1.tar.gz");
        Path layer2 = work.resolve("layer2.tar.gz");
        Tools.run("tar", "-czf", layer1.toString(), "-C", root1.toString(), ".");
        Tools.run("tar", "-czf", layer2.toString(), "-C", root2.toString(), ".");
        List<Digest> diffIds = List.of(gunzipSha256(layer1), gunzipSha256(layer2));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"/app/run.sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffIds.get(0) + "\",\"" + diffIds.get(1) + "\"]},"
                + "\"history\":[{\"created_by\":\"layer one\"},{\"created_by\":\"layer two\"}]}";
        return new ArchiveTestImage(layer1, layer2, diffIds, config.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The same config and layers under a different manifest (an extra annotation), as a rebuild might make. */
    ArchiveTestImage withManifestAnnotation(String value) {
        return new ArchiveTestImage(layer1, layer2, diffIds, config, value);
    }

    List<Descriptor> layers() {
        return List.of(layer1Descriptor, layer2Descriptor);
    }

    /** Config and layers: the blobs besides the manifest. */
    List<Descriptor> blobs() {
        return List.of(configDescriptor, layer1Descriptor, layer2Descriptor);
    }

    /** A reader serving config and layers from files and memory, recording what it was asked for. */
    BlobReader reader() {
        return corruptingReader(null, UnaryOperator.identity());
    }

    /** Like {@link #reader()}, but the content of {@code victim} goes through {@code corrupt}. */
    BlobReader corruptingReader(Digest victim, UnaryOperator<byte[]> corrupt) {
        return digest -> {
            reads.add(digest);
            byte[] content;
            if (digest.equals(configDescriptor.digest())) {
                content = config;
            } else if (blobFiles.containsKey(digest)) {
                if (!digest.equals(victim)) {
                    return Files.newInputStream(blobFiles.get(digest)); // streamed, as the store does
                }
                content = Files.readAllBytes(blobFiles.get(digest));
            } else {
                throw new IOException("no blob " + digest);
            }
            return new ByteArrayInputStream(digest.equals(victim) ? corrupt.apply(content.clone()) : content);
        };
    }

    byte[] blobContent(Digest digest) throws IOException {
        if (digest.equals(configDescriptor.digest())) {
            return config;
        }
        if (digest.equals(manifest.digest())) {
            return manifest.bytes();
        }
        return Files.readAllBytes(blobFiles.get(digest));
    }

    private byte[] manifestJson(String annotation) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",")
                .append("\"config\":").append(descriptorJson(configDescriptor)).append(",\"layers\":[")
                .append(descriptorJson(layer1Descriptor)).append(',').append(descriptorJson(layer2Descriptor)).append(']');
        if (annotation != null) {
            json.append(",\"annotations\":{\"org.opencontainers.image.revision\":\"").append(annotation).append("\"}");
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String descriptorJson(Descriptor d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    static Digest sha256(Path file) {
        try {
            return Digest.sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Digest gunzipSha256(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return Digest.sha256(out.toByteArray());
        }
    }

    /** Every regular file under {@code root}, relative path to content, for comparing unpacked trees. */
    static Map<String, String> filesUnder(Path root) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
        }
        for (Path p : paths) {
            files.put(root.relativize(p).toString(), Files.readString(p));
        }
        return files;
    }
}
