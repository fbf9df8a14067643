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

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes an image into an OCI image layout directory (image-spec 1.1), creating it or adding to it:
 * what {@code skopeo copy oci:DIR:TAG}, {@code umoci} and {@code podman load} read.
 *
 * <p>Order is what makes it safe to interrupt: blobs first (each to a temp file, verified while
 * copied, renamed into place), the manifest after all of them, {@code index.json} last and atomically
 * (temp + rename). A reader of the layout therefore never finds a tag whose content is missing. A
 * failed write also removes the blobs, directories and {@code oci-layout} file it created itself, so
 * the target is left as it was; blobs that were already there are never touched.
 *
 * <p>Writers of one layout are serialized (within this JVM and, through a lock on the
 * {@code oci-layout} file, across Kiln processes), so that two tags written at once both end up in
 * {@code index.json}.
 */
public final class OciLayoutWriter {
    /** The index annotation that names a tag in an OCI layout. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    static final String LAYOUT_VERSION = "1.0.0";
    static final byte[] LAYOUT_JSON = ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8);

    /** image-spec's grammar for {@code org.opencontainers.image.ref.name}. */
    private static final String REF_COMPONENT = "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*";
    private static final Pattern REF_NAME_PATTERN = Pattern.compile(REF_COMPONENT + "(?:/" + REF_COMPONENT + ")*");
    private static final ConcurrentMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * Writes {@code manifest} and its blobs into the layout at {@code dir} under {@code tag}, replacing
     * any previous entry of that tag and keeping all others. Blobs already present with the right size
     * are not rewritten.
     *
     * @param blobs  every blob the manifest needs (config and layers; for an index, its manifests and
     *               theirs); the manifest itself may be included or not
     * @param reader where blob content comes from; only asked for blobs the layout lacks
     * @throws InvalidInputException   for a bad tag, blobs that do not cover the manifest, or a target
     *                                 that is not (and cannot become) an OCI layout
     * @throws DigestMismatchException if the reader's content is not what a descriptor says
     * @throws StoreException          if the layout cannot be written (the message names the path)
     */
    public void write(Path dir, String tag, RawManifest manifest, List<Descriptor> blobs, BlobReader reader) {
        checkTag(tag);
        checkManifest(manifest);
        List<Descriptor> toWrite = blobsToWrite(manifest, blobs);
        Path target = dir.toAbsolutePath().normalize();
        // the path's monitor covers creating the layout; the real path's (with the file lock) the update
        synchronized (monitor(target)) {
            Undo undo = new Undo();
            try {
                prepare(target, undo);
                synchronized (monitor(target.toRealPath())) {
                    try (LayoutLock ignored = LayoutLock.acquire(target.resolve(LAYOUT_FILE))) {
                        try {
                            writeLocked(target, tag, manifest, toWrite, reader, undo);
                        } catch (IOException | RuntimeException | Error e) {
                            undo.run(); // while still holding the lock: no other writer sees half of this write
                            throw e;
                        }
                    }
                }
            } catch (IOException e) {
                undo.run();
                throw new StoreException("cannot write OCI layout " + target + ": " + ArchiveFiles.describe(e), e);
            } catch (RuntimeException | Error e) {
                undo.run();
                throw e;
            }
        }
    }

    private static Object monitor(Path path) {
        return JVM_LOCKS.computeIfAbsent(path, p -> new Object());
    }

    private static void checkTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            throw new InvalidInputException("an OCI layout tag must not be empty");
        }
        if (!REF_NAME_PATTERN.matcher(tag).matches()) {
            throw new InvalidInputException("invalid OCI layout tag '" + tag
                    + "': letters and digits, separated by '-', '.', '_', ':', '@', '+', '--' or '/'");
        }
    }

    static void checkManifest(RawManifest manifest) {
        if (manifest == null || manifest.bytes() == null || manifest.digest() == null) {
            throw new InvalidInputException("no manifest to write");
        }
        if (manifest.mediaType() == null || manifest.mediaType().isEmpty()) {
            throw new InvalidInputException("manifest " + manifest.digest() + " has no media type");
        }
        VerifiedCopy.requireSha256(manifest.descriptor(), "manifest");
        Digest actual = Digest.sha256(manifest.bytes());
        if (!actual.equals(manifest.digest())) {
            throw new DigestMismatchException("manifest " + manifest.digest() + " has content with digest " + actual
                    + "; refusing to write it");
        }
    }

    /**
     * The blobs to copy, each once, without the manifest (written from its bytes); checked to cover
     * what an image manifest references, so the layout never has a tag with a missing blob.
     */
    private static List<Descriptor> blobsToWrite(RawManifest manifest, List<Descriptor> blobs) {
        Map<Digest, Descriptor> unique = new LinkedHashMap<>();
        for (Descriptor blob : blobs) {
            VerifiedCopy.requireSha256(blob, "blob");
            Descriptor previous = unique.putIfAbsent(blob.digest(), blob);
            if (previous != null && previous.size() != blob.size()) {
                throw new InvalidInputException("blob " + blob.digest() + " is listed with two sizes, "
                        + previous.size() + " and " + blob.size());
            }
        }
        if (!manifest.isIndex()) {
            Manifest parsed = manifest.asManifest();
            for (Descriptor needed : parsed.blobs()) {
                Descriptor given = unique.get(needed.digest());
                if (given == null) {
                    throw new InvalidInputException("manifest " + manifest.digest().shortHex() + " references blob "
                            + needed.digest() + ", which is not among the blobs to write");
                }
                if (given.size() != needed.size()) {
                    throw new InvalidInputException("blob " + needed.digest() + " has size " + given.size()
                            + " but manifest " + manifest.digest().shortHex() + " says " + needed.size());
                }
            }
        }
        unique.remove(manifest.digest());
        return List.copyOf(unique.values());
    }

    /** Creates the directory and its {@code oci-layout} when missing; refuses a directory that is something else. */
    private static void prepare(Path target, Undo undo) throws IOException {
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new InvalidInputException("cannot write OCI layout " + target + ": it exists and is not a directory");
        }
        if (!Files.exists(target)) {
            undo.createDirectories(target);
        }
        Path layoutFile = target.resolve(LAYOUT_FILE);
        if (Files.exists(layoutFile)) {
            checkLayoutVersion(layoutFile);
            return;
        }
        try (Stream<Path> entries = Files.list(target)) {
            // temp files of a concurrent writer creating the same layout do not make it someone else's directory
            if (entries.anyMatch(p -> !p.getFileName().toString().endsWith(ArchiveFiles.TEMP_SUFFIX))) {
                if (Files.exists(layoutFile)) { // made a layout by another process meanwhile
                    checkLayoutVersion(layoutFile);
                    return;
                }
                throw new InvalidInputException("cannot write OCI layout " + target
                        + ": the directory is not empty and is not an OCI image layout (no oci-layout file)");
            }
        }
        Path temp = ArchiveFiles.tempName(target, LAYOUT_FILE);
        undo.delete(temp);
        writeFile(temp, LAYOUT_JSON);
        try {
            // link, unlike rename, never replaces: of concurrent creators exactly one owns (and may undo) the file
            Files.createLink(layoutFile, temp);
            undo.delete(layoutFile);
        } catch (FileAlreadyExistsException e) {
            checkLayoutVersion(layoutFile); // created concurrently: theirs, not ours to remove
        } catch (UnsupportedOperationException | IOException e) {
            Files.move(temp, layoutFile, StandardCopyOption.ATOMIC_MOVE); // a file system without hard links
            undo.delete(layoutFile);
        }
        ArchiveFiles.deleteQuietly(temp);
    }

    private static void checkLayoutVersion(Path layoutFile) throws IOException {
        JsonNode layout;
        try {
            layout = ImageJson.MAPPER.readTree(Files.readAllBytes(layoutFile));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            layout = null;
        }
        if (layout == null || !layout.path("imageLayoutVersion").isTextual()) {
            throw new InvalidInputException("cannot write OCI layout " + layoutFile.getParent() + ": malformed " + LAYOUT_FILE);
        }
        String version = layout.path("imageLayoutVersion").asText();
        if (!version.equals(LAYOUT_VERSION)) {
            throw new InvalidInputException("cannot write OCI layout " + layoutFile.getParent()
                    + ": unsupported imageLayoutVersion " + version + " (expected " + LAYOUT_VERSION + ")");
        }
    }

    private static void writeLocked(Path target, String tag, RawManifest manifest, List<Descriptor> blobs,
                                    BlobReader reader, Undo undo) throws IOException {
        Path indexFile = target.resolve(INDEX_FILE);
        ObjectNode index = readIndex(indexFile); // before any blob: a broken index fails the write early
        Path blobDir = target.resolve("blobs").resolve("sha256");
        if (!Files.isDirectory(blobDir)) {
            undo.createDirectories(blobDir);
        }
        byte[] buffer = new byte[VerifiedCopy.BUFFER_SIZE];
        for (Descriptor blob : blobs) {
            Path file = blobDir.resolve(blob.digest().hex());
            if (isPresent(file, blob.size())) {
                continue;
            }
            Path temp = ArchiveFiles.tempName(target, "blob");
            undo.delete(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                VerifiedCopy.copy(reader, blob, out, buffer);
                channel.force(true);
            }
            commit(temp, file, undo);
        }
        Path manifestFile = blobDir.resolve(manifest.digest().hex());
        if (!isPresent(manifestFile, manifest.bytes().length)) {
            Path temp = ArchiveFiles.tempName(target, "blob");
            undo.delete(temp);
            writeFile(temp, manifest.bytes());
            commit(temp, manifestFile, undo);
        }
        byte[] updated = ImageJson.write(withTag(index, tag, manifest.descriptor()));
        Path temp = ArchiveFiles.tempName(target, INDEX_FILE);
        undo.delete(temp);
        writeFile(temp, updated);
        Files.move(temp, indexFile, StandardCopyOption.ATOMIC_MOVE);
        undo.committed();
        ArchiveFiles.syncDirectory(target);
    }

    /** Present with the right size counts as present; the layout is content-addressed, not re-hashed here. */
    private static boolean isPresent(Path file, long size) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) == size;
    }

    private static void commit(Path temp, Path file, Undo undo) throws IOException {
        boolean existed = Files.exists(file); // with the wrong size: replaced, and not ours to remove
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        if (!existed) {
            undo.delete(file);
        }
    }

    private static ObjectNode readIndex(Path indexFile) throws IOException {
        if (!Files.exists(indexFile)) {
            ObjectNode index = ImageJson.MAPPER.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
            index.putArray("manifests");
            return index;
        }
        JsonNode node;
        try {
            node = ImageJson.MAPPER.readTree(Files.readAllBytes(indexFile));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new InvalidInputException("cannot write OCI layout " + indexFile.getParent() + ": malformed " + INDEX_FILE
                    + " (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode index) || (index.has("manifests") && !index.get("manifests").isArray())) {
            throw new InvalidInputException("cannot write OCI layout " + indexFile.getParent() + ": malformed " + INDEX_FILE
                    + " (not an image index)");
        }
        if (!index.has("manifests")) {
            index.putArray("manifests");
        }
        return index;
    }

    /**
     * The index with {@code tag} pointing at {@code manifest}: an entry of the same tag is replaced in
     * place, every other entry (other tags, untagged entries, other tools' fields) is kept verbatim.
     */
    static ObjectNode withTag(ObjectNode index, String tag, Descriptor manifest) {
        ObjectNode entry = ImageJson.MAPPER.createObjectNode();
        entry.put("mediaType", manifest.mediaType());
        entry.put("digest", manifest.digest().toString());
        entry.put("size", manifest.size());
        entry.putObject("annotations").put(REF_NAME, tag);
        ArrayNode kept = ImageJson.MAPPER.createArrayNode();
        boolean placed = false;
        for (JsonNode existing : index.get("manifests")) {
            if (tag.equals(existing.path("annotations").path(REF_NAME).asText(null))) {
                if (!placed) {
                    kept.add(entry);
                    placed = true;
                }
            } else {
                kept.add(existing);
            }
        }
        if (!placed) {
            kept.add(entry);
        }
        ObjectNode updated = index.deepCopy();
        updated.set("manifests", kept);
        return updated;
    }

    private static void writeFile(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            out.write(content);
            channel.force(true);
        }
    }

    /**
     * The cross-process half of the writers' lock: an exclusive lock on {@code oci-layout}, which is
     * never replaced once created. Without write access to that file (a layout made by someone else)
     * only the in-JVM lock applies.
     */
    private record LayoutLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        static LayoutLock acquire(Path layoutFile) throws IOException {
            FileChannel channel;
            try {
                channel = FileChannel.open(layoutFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (AccessDeniedException e) {
                return new LayoutLock(null, null);
            }
            try {
                FileLock lock = channel.lock();
                if (!Files.exists(layoutFile)) {
                    // a concurrent write that created this layout failed and removed it while we waited
                    throw new StoreException("cannot write OCI layout " + layoutFile.getParent()
                            + ": it was removed by a concurrent failed write; try again");
                }
                return new LayoutLock(channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close(); // releases the lock
            }
        }
    }
}
