package dev.kiln.server.builds;

import dev.kiln.server.http.ApiException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The files of one submitted build, in its own directory: the uploaded parts by name, files the server
 * holds by digest, and directories unpacked from tar parts. Nothing resolves outside the directory:
 * part names are plain file names, tar entries that would escape are refused.
 */
final class BuildFiles {
    /** A part's name: a plain file name, no path, not {@code .} or {@code ..}. */
    static final Pattern PART_NAME = Pattern.compile("(?!\\.\\.?$)[A-Za-z0-9._+@=-]{1,200}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Path dir;
    private final Map<String, Path> parts;
    private final Map<String, String> named;
    private final FileStore held;

    /** {@code parts}: the uploaded files by part name, already in {@code dir}; {@code named}: held files' digests by name. */
    BuildFiles(Path dir, Map<String, Path> parts, Map<String, String> named, FileStore held) {
        this.dir = dir;
        this.parts = parts;
        this.named = named == null ? Map.of() : named;
        this.held = held;
        for (String name : this.named.keySet()) {
            checkPartName(name);
            if (parts.containsKey(name)) {
                throw ApiException.badRequest("files: '" + name + "' is both a part and a held file");
            }
        }
    }

    /** Checks a part's name before anything is written under it. */
    static String checkPartName(String name) {
        if (name == null || !PART_NAME.matcher(name).matches()) {
            throw ApiException.badRequest("part name '" + name + "' is not a plain file name (letters, digits, . _ + @ = -; no / or ..)");
        }
        return name;
    }

    /** The file {@code ref} names: a part, or a held file by digest (under its name, or its digest's hex). */
    Path file(String ref, String field) {
        if (ref == null || ref.isBlank()) {
            throw ApiException.badRequest(field + ": no file named");
        }
        if (DIGEST.matcher(ref).matches() || named.containsKey(ref)) {
            String digest = named.getOrDefault(ref, ref);
            Path source = held.path(digest).orElseThrow(() -> ApiException.badRequest(field + ": the server holds no file " + digest
                    + " (upload it with PUT /api/v1/files/" + digest + ")"));
            return held.named(source, named.containsKey(ref) ? ref : ref.substring("sha256:".length()));
        }
        checkPartName(ref);
        Path part = parts.get(ref);
        if (part == null) {
            throw ApiException.badRequest(field + ": the request has no part named '" + ref + "'");
        }
        return part;
    }

    /** The directory {@code ref} names: a tar part (plain or gzip) unpacked into the build's directory. */
    Path directory(String ref, String field) {
        Path tar = file(ref, field);
        Path target = dir.resolve("dirs").resolve(tar.getFileName().toString());
        if (Files.isDirectory(target)) {
            return target;
        }
        try {
            Files.createDirectories(target);
            unpack(tar, target, field);
        } catch (IOException e) {
            throw ApiException.badRequest(field + ": " + ref + " is not a tar (plain or gzip): " + e.getMessage());
        }
        return target;
    }

    private static void unpack(Path tar, Path target, String field) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tar));
             TarArchiveInputStream entries = new TarArchiveInputStream(gunzipIfNeeded(raw))) {
            TarArchiveEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                Path to = target.resolve(entry.getName()).normalize();
                if (!to.startsWith(target) || entry.getName().startsWith("/")) {
                    throw ApiException.badRequest(field + ": tar entry '" + entry.getName() + "' would land outside its directory");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                    keepMode(to, entry.getMode());
                } else if (entry.isFile()) {
                    Files.createDirectories(to.getParent());
                    Files.copy(entries, to, StandardCopyOption.REPLACE_EXISTING);
                    keepMode(to, entry.getMode());
                } else if (entry.isSymbolicLink()) {
                    Path link = to.getParent().resolve(entry.getLinkName()).normalize();
                    if (!link.startsWith(target)) {
                        throw ApiException.badRequest(field + ": tar link '" + entry.getName() + "' points outside its directory");
                    }
                    Files.createDirectories(to.getParent());
                    Files.createSymbolicLink(to, Path.of(entry.getLinkName()));
                }
            }
        }
    }

    /** The entry's permission bits, as the tar has them: an executable stays executable in the layer. */
    private static void keepMode(Path path, int mode) throws IOException {
        if ((mode & 0777) == 0) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = java.util.EnumSet.noneOf(
                java.nio.file.attribute.PosixFilePermission.class);
        java.nio.file.attribute.PosixFilePermission[] all = java.nio.file.attribute.PosixFilePermission.values();
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << (8 - bit))) != 0) {
                permissions.add(all[bit]);
            }
        }
        Files.setPosixFilePermissions(path, permissions);
    }

    private static InputStream gunzipIfNeeded(InputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in) : in;
    }
}
