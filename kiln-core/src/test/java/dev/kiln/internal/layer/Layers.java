package dev.kiln.internal.layer;

import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** Test helpers: build layers into memory, read them back with commons-compress, raw bytes and GNU tar. */
final class Layers {
    static final Instant ENTRY_TIME = Instant.parse("2023-11-14T22:13:20Z");

    private Layers() {
    }

    /** One entry as read back. */
    record Entry(String name, char type, int mode, long uid, long gid, String userName, String groupName,
                 Instant mtime, long size, String linkName, byte[] content) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A written layer. */
    record Written(byte[] compressed, LayerResult result) {
    }

    static Written write(LayerSource source, Compression compression) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerResult result = new LayerWriter(ENTRY_TIME, compression).write(source, out);
        return new Written(out.toByteArray(), result);
    }

    static byte[] decompress(byte[] compressed, Compression compression) {
        try (InputStream in = compression == Compression.GZIP
                ? new GZIPInputStream(new ByteArrayInputStream(compressed))
                : new ZstdInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Entry> entries(Written layer, Compression compression) {
        return entries(decompress(layer.compressed(), compression));
    }

    static List<Entry> entries(byte[] tar) {
        List<Entry> entries = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isFile() ? '-' : '?';
                entries.add(new Entry(e.getName(), type, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
                        e.getUserName(), e.getGroupName(), e.getLastModifiedTime().toInstant(), e.getSize(), e.getLinkName(),
                        in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    static List<String> names(List<Entry> entries) {
        return entries.stream().map(Entry::name).toList();
    }

    static Entry entry(List<Entry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + name + " in " + names(entries)));
    }

    /** A raw ustar header record, as any tar reader sees it before extended headers apply. */
    record RawHeader(String name, char type, String userName, String groupName, String mtimeField) {
    }

    /** Walks the header records of an uncompressed tar without interpreting PAX headers. */
    static List<RawHeader> rawHeaders(byte[] tar) {
        List<RawHeader> headers = new ArrayList<>();
        int offset = 0;
        while (offset + 512 <= tar.length && !allZero(tar, offset, 512)) {
            String sizeField = field(tar, offset + 124, 12).trim();
            long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
            headers.add(new RawHeader(field(tar, offset, 100), (char) tar[offset + 156], field(tar, offset + 265, 32),
                    field(tar, offset + 297, 32), field(tar, offset + 136, 12)));
            offset += 512 + (int) ((size + 511) / 512 * 512);
        }
        return headers;
    }

    private static boolean allZero(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    static Path file(Path path, String content, String permissions) throws IOException {
        return file(path, content.getBytes(StandardCharsets.UTF_8), permissions);
    }

    static Path file(Path path, byte[] content, String permissions) throws IOException {
        Files.createDirectories(path.getParent());
        Files.write(path, content);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        return path;
    }

    static Path directory(Path path, String permissions) throws IOException {
        Files.createDirectories(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        return path;
    }

    /** Zip-like bytes: a local file header magic, then incompressible data. */
    static byte[] jarLike(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 'P';
        bytes[1] = 'K';
        bytes[2] = 3;
        bytes[3] = 4;
        return bytes;
    }

    /** Text that compresses like source code or logs (roughly 3-4x with deflate). */
    static byte[] textLike(int size, long seed) {
        String[] words = ("public private static final class void return import package org apache flink streaming api "
                + "datastream environment checkpoint state backend operator window watermark kafka source sink "
                + "config value key timestamp event record serializer throws exception if else for while new this "
                + "string int long boolean list map set get put add remove size equals hash").split(" ");
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 200);
        while (out.size() < size) {
            StringBuilder line = new StringBuilder();
            line.append("    ".repeat(random.nextInt(4)));
            int count = 3 + random.nextInt(9);
            for (int i = 0; i < count; i++) {
                line.append(words[random.nextInt(words.length)]);
                line.append(random.nextInt(10) == 0 ? "(" + random.nextInt(100000) + "); " : " ");
            }
            out.writeBytes(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        }
        return Arrays.copyOf(out.toByteArray(), size);
    }

    static void touchAll(Path root, FileTime time) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, time);
                }
            }
        }
    }

    /** Runs a program (UTC, UTF-8 locale) and returns its standard output; fails the test on a non-zero exit. */
    static String run(Path workDir, String... command) {
        try {
            Path stdout = Files.createTempFile(workDir, "out", ".txt");
            Path stderr = Files.createTempFile(workDir, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            Map<String, String> env = builder.environment();
            env.put("TZ", "UTC");
            env.put("LC_ALL", "C.UTF-8");
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("exit " + process.exitValue() + ": " + String.join(" ", command) + "\n"
                        + Files.readString(stderr));
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static boolean gnuTarHasZstd(Path workDir) {
        return run(workDir, "tar", "--help").contains("--zstd");
    }

    /**
     * {@code tar -tv} lines reduced to "mode owner size date time name[ -> target]" with single spaces
     * (GNU tar pads columns).
     */
    static List<String> gnuTarList(Path workDir, Path archive, String compressionFlag) {
        String out = run(workDir, "tar", compressionFlag, "--numeric-owner", "--full-time", "--quoting-style=literal",
                "-tvf", archive.toString());
        return out.lines().map(line -> line.replaceAll(" +", " ")).toList();
    }
}
