package dev.kiln.internal.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.error.DigestMismatchException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.StoreException;
import dev.kiln.image.Descriptor;
import dev.kiln.image.Digest;
import dev.kiln.image.ImageJson;
import dev.kiln.image.Manifest;
import dev.kiln.image.MediaTypes;
import dev.kiln.image.RawManifest;
import dev.kiln.image.Reference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an image as a {@code docker load}-compatible tar in the format {@code docker save} produces
 * since Docker 25: {@code blobs/sha256/<hex>} for config, layers and manifest, {@code manifest.json}
 * for {@code docker load} (and skopeo's {@code docker-archive:} transport), plus {@code oci-layout}
 * and {@code index.json}, so that the same file is also an OCI layout archive.
 *
 * <p>Layers stay compressed as they are and stream through a fixed buffer, verified on the way. The
 * tar is deterministic (entries sorted, mtime 0, owner 0:0, fixed modes, no user names), so the same
 * image gives the same bytes and the archive itself can be cached or compared. It is written to a
 * temp file next to the target and renamed at the end: a failed write leaves no file, and an
 * existing file at the target stays as it was.
 */
public final class DockerArchiveWriter {
    static final String MANIFEST_FILE = "manifest.json";
    /** containerd's (and Docker 25's) index annotation with the full image name. */
    static final String IMAGE_NAME = "io.containerd.image.name";
    private static final String BLOBS = "blobs/sha256/";
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    /**
     * Writes the image to {@code file}, replacing it atomically.
     *
     * @param repoTag the name {@code docker load} tags the image with, any form {@link Reference#parse}
     *                accepts ({@code flink:1.18}, {@code 127.0.0.1:5000/ns/app:1}); written in
     *                {@link #repoTag(Reference) Docker's short form}. {@code null} for an untagged image.
     * @param config  the config blob, which must match the manifest's config descriptor
     * @param layers  the layers, as the manifest lists them
     * @throws InvalidInputException   for a manifest that is an index, layers or config that do not
     *                                 match it, a bad tag, or a target that is a directory
     * @throws DigestMismatchException if the reader's content or the config is not what a descriptor says
     * @throws StoreException          if the file cannot be written (the message names the path)
     */
    public void write(Path file, String repoTag, RawManifest manifest, byte[] config, List<Descriptor> layers,
                      BlobReader reader) {
        Map<String, Item> entries = entries(repoTag, manifest, config, layers);
        Path target = file.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new InvalidInputException("cannot write docker archive " + target + ": it is a directory");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new InvalidInputException("cannot write docker archive " + target + ": directory " + parent
                    + " does not exist");
        }
        Path temp = ArchiveFiles.tempName(parent, target.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTar(Channels.newOutputStream(channel), entries, reader);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            ArchiveFiles.syncDirectory(parent);
        } catch (IOException e) {
            ArchiveFiles.deleteQuietly(temp);
            throw new StoreException("cannot write docker archive " + target + ": " + ArchiveFiles.describe(e), e);
        } catch (RuntimeException | Error e) {
            ArchiveFiles.deleteQuietly(temp);
            throw e;
        }
    }

    /**
     * Streams the same archive to {@code out} (e.g. a {@code docker load} request); {@code out} is
     * flushed, not closed. Arguments and checks as {@link #write(Path, String, RawManifest, byte[], List, BlobReader)}.
     *
     * @throws IOException if {@code out} fails
     */
    public void write(OutputStream out, String repoTag, RawManifest manifest, byte[] config, List<Descriptor> layers,
                      BlobReader reader) throws IOException {
        writeTar(out, entries(repoTag, manifest, config, layers), reader);
    }

    private static Map<String, Item> entries(String repoTag, RawManifest manifest, byte[] config, List<Descriptor> layers) {
        OciLayoutWriter.checkManifest(manifest);
        if (manifest.isIndex()) {
            throw new InvalidInputException("a docker archive holds one platform's image; " + manifest.digest().shortHex()
                    + " is an index (" + manifest.mediaType() + "): select a platform first");
        }
        Manifest parsed = manifest.asManifest();
        Descriptor configDescriptor = checkConfig(parsed, config);
        checkLayers(parsed, layers, config);
        Reference reference = repoTag == null ? null : Reference.parse(repoTag);
        String shortTag = reference == null ? null : repoTag(reference);

        Map<String, Item> entries = new TreeMap<>();
        entries.put("blobs/", Item.DIRECTORY);
        entries.put(BLOBS, Item.DIRECTORY);
        entries.put(blobPath(configDescriptor.digest()), Item.of(config));
        for (Descriptor layer : layers) {
            entries.putIfAbsent(blobPath(layer.digest()), new Item(null, layer));
        }
        entries.put(blobPath(manifest.digest()), Item.of(manifest.bytes()));
        entries.put(MANIFEST_FILE, Item.of(ImageJson.write(List.of(dockerManifest(configDescriptor, layers, shortTag)))));
        entries.put(OciLayoutWriter.LAYOUT_FILE, Item.of(OciLayoutWriter.LAYOUT_JSON));
        entries.put(OciLayoutWriter.INDEX_FILE, Item.of(ImageJson.write(index(manifest, reference))));
        return entries;
    }

    /**
     * The form {@code docker save} writes in {@code RepoTags} (Docker's "familiar" string):
     * {@code docker.io/library/flink:1.18} is {@code flink:1.18}, {@code docker.io/user/app:1} is
     * {@code user/app:1}, other registries keep their host ({@code 127.0.0.1:5000/ns/app:1}). A digest
     * is dropped, as Docker does; a reference with only a digest has no tag form.
     *
     * @throws InvalidInputException if the reference has no tag
     */
    public static String repoTag(Reference reference) {
        if (reference.tag() == null) {
            throw new InvalidInputException("cannot tag a docker archive with '" + reference
                    + "': a tag is needed, not only a digest");
        }
        String name = reference.name();
        if (reference.registry().equals(Reference.DOCKER_HUB)) {
            String repository = reference.repository();
            boolean official = repository.startsWith("library/") && repository.indexOf('/', "library/".length()) < 0;
            name = official ? repository.substring("library/".length()) : repository;
        }
        return name + ":" + reference.tag();
    }

    private static Descriptor checkConfig(Manifest manifest, byte[] config) {
        Descriptor expected = manifest.config();
        VerifiedCopy.requireSha256(expected, "config");
        if (config == null) {
            throw new InvalidInputException("no config to write");
        }
        Digest actual = Digest.sha256(config);
        if (!actual.equals(expected.digest()) || config.length != expected.size()) {
            throw new DigestMismatchException("config " + expected.digest() + " (" + expected.size() + " bytes) has "
                    + config.length + " bytes with digest " + actual + "; refusing to write it");
        }
        return expected;
    }

    /** The layers must be the manifest's, and as many as the config's diff_ids, or Docker refuses the archive. */
    private static void checkLayers(Manifest manifest, List<Descriptor> layers, byte[] config) {
        List<Descriptor> expected = manifest.layers();
        if (layers.size() != expected.size()) {
            throw new InvalidInputException("the manifest lists " + expected.size() + " layers, " + layers.size() + " were given");
        }
        for (int i = 0; i < layers.size(); i++) {
            Descriptor layer = layers.get(i);
            VerifiedCopy.requireSha256(layer, "layer");
            if (!layer.digest().equals(expected.get(i).digest()) || layer.size() != expected.get(i).size()) {
                throw new InvalidInputException("layer " + i + " is " + layer.digest() + " (" + layer.size()
                        + " bytes) but the manifest says " + expected.get(i).digest() + " (" + expected.get(i).size() + " bytes)");
            }
        }
        JsonNode tree;
        try {
            tree = ImageJson.MAPPER.readTree(config);
        } catch (IOException e) {
            throw new InvalidInputException("the image config is not valid JSON: " + ArchiveFiles.describe(e));
        }
        JsonNode diffIds = tree == null ? null : tree.path("rootfs").path("diff_ids");
        int count = diffIds != null && diffIds.isArray() ? diffIds.size() : 0;
        if (count != layers.size()) {
            throw new InvalidInputException("the image config lists " + count + " rootfs.diff_ids for "
                    + layers.size() + " layers; docker load would refuse the archive");
        }
    }

    /** One {@code manifest.json} item, fields in Docker's order. */
    private static ObjectNode dockerManifest(Descriptor config, List<Descriptor> layers, String repoTag) {
        ObjectNode item = ImageJson.MAPPER.createObjectNode();
        item.put("Config", blobPath(config.digest()));
        if (repoTag == null) {
            item.putNull("RepoTags");
        } else {
            item.putArray("RepoTags").add(repoTag);
        }
        ArrayNode paths = item.putArray("Layers");
        layers.forEach(layer -> paths.add(blobPath(layer.digest())));
        return item;
    }

    /** Docker 25's {@code index.json}: the manifest, named by the full reference and by its tag. */
    private static ObjectNode index(RawManifest manifest, Reference reference) {
        ObjectNode index = ImageJson.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ObjectNode entry = index.putArray("manifests").addObject();
        entry.put("mediaType", manifest.mediaType());
        entry.put("digest", manifest.digest().toString());
        entry.put("size", manifest.bytes().length);
        if (reference != null) {
            // explicit field order: a Map.of here would serialize in a per-JVM random order
            ObjectNode annotations = entry.putObject("annotations");
            annotations.put(IMAGE_NAME, reference.name() + ":" + reference.tag());
            annotations.put(OciLayoutWriter.REF_NAME, reference.tag());
        }
        return index;
    }

    private static String blobPath(Digest digest) {
        return BLOBS + digest.hex();
    }

    private static void writeTar(OutputStream out, Map<String, Item> entries, BlobReader reader) throws IOException {
        byte[] buffer = new byte[VerifiedCopy.BUFFER_SIZE];
        // finished and flushed, not closed: closing would close the caller's stream
        BufferedOutputStream buffered = new BufferedOutputStream(out, VerifiedCopy.BUFFER_SIZE);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(buffered);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        // GNU/star base-256 numbers for layers over 8 GiB: unlike PAX headers they carry no timestamp or user
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
        for (Map.Entry<String, Item> e : entries.entrySet()) {
            Item item = e.getValue();
            TarArchiveEntry header = new TarArchiveEntry(e.getKey());
            header.setModTime(EPOCH);
            header.setIds(0, 0);
            header.setNames("", "");
            if (item == Item.DIRECTORY) {
                header.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
                tar.putArchiveEntry(header);
            } else if (item.bytes() != null) {
                header.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
                header.setSize(item.bytes().length);
                tar.putArchiveEntry(header);
                tar.write(item.bytes());
            } else {
                header.setMode(TarArchiveEntry.DEFAULT_FILE_MODE);
                header.setSize(item.blob().size());
                tar.putArchiveEntry(header);
                VerifiedCopy.copy(reader, item.blob(), tar, buffer);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        // the tar stream's own flush does not reach a wrapped stream (commons-compress writes through a channel)
        buffered.flush();
    }

    /** A tar entry's content: bytes in hand, a blob to stream, or nothing (a directory). */
    private record Item(byte[] bytes, Descriptor blob) {
        static final Item DIRECTORY = new Item(null, null);

        static Item of(byte[] bytes) {
            return new Item(bytes, null);
        }
    }
}
