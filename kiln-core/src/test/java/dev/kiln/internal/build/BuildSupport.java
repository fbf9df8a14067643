package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.image.Digest;
import dev.kiln.testing.Commands;
import dev.kiln.testing.TestKilns;
import dev.kiln.testing.Umoci;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.Skopeo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the build tests share: a hermetic {@link Kiln}, the real tools as oracles, job sources, access-log filters. */
final class BuildSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIGEST_PARAM = Pattern.compile("[?&]digest=(sha256(?::|%3A)[0-9a-f]{64})");

    private BuildSupport() {
    }

    /** A Kiln that uses only {@code cacheDir}: no Docker config of the machine, short retries. */
    static Kiln kiln(Path cacheDir) {
        return TestKilns.kiln(cacheDir);
    }

    static KilnBuilder kilnBuilder(Path cacheDir) {
        return TestKilns.builder(cacheDir);
    }

    // ---------------------------------------------------------------------------------------------
    // Job sources

    /** A Flink job's inputs: a conf directory (modes 0644, 0600, 0755, a 0750 subdirectory, a symlink out of it) and a jar. */
    record JobSources(Path conf, Path jobJar) {
        static final String FLINK_CONF = "jobmanager.rpc.address: orders-jobmanager\nparallelism.default: 2\n";
        static final String LOG4J = "rootLogger.level = WARN\n";
        static final String SECRETS = "s3.secret-key: not-really-secret\n";
        static final String HOOK = "#!/bin/sh\necho pre-start hook\n";
        static final String NESTED = "state.backend: rocksdb\n";
        static final String LINK_TARGET = "../../etc/passwd";

        /** Creates the sources under {@code dir}; the jar has {@code jarSize} random bytes from {@code seed}. */
        static JobSources create(Path dir, long seed, int jarSize) {
            try {
                Path conf = Files.createDirectories(dir.resolve("conf"));
                write(conf.resolve("flink-conf.yaml"), FLINK_CONF, "rw-r--r--");
                write(conf.resolve("log4j.properties"), LOG4J, "rw-r--r--");
                write(conf.resolve("secrets.properties"), SECRETS, "rw-------");
                write(conf.resolve("pre-start.sh"), HOOK, "rwxr-xr-x");
                Path extra = Files.createDirectories(conf.resolve("extra"));
                write(extra.resolve("state.yaml"), NESTED, "rw-r--r--");
                Files.setPosixFilePermissions(extra, PosixFilePermissions.fromString("rwxr-x---"));
                Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.createSymbolicLink(conf.resolve("passwd-link"), Path.of(LINK_TARGET));
                Path jar = dir.resolve("job.jar");
                Files.write(jar, jarBytes(seed, jarSize));
                Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
                return new JobSources(conf, jar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Replaces the jar's content (a new release of the job). */
        void newJar(long seed, int size) {
            try {
                Files.write(jobJar, jarBytes(seed, size));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] jar() {
            try {
                return Files.readAllBytes(jobJar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void write(Path file, String content, String permissions) throws IOException {
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        }

        /** A "jar": the zip magic, then random bytes. */
        static byte[] jarBytes(long seed, int size) {
            byte[] bytes = new byte[size];
            new Random(seed).nextBytes(bytes);
            bytes[0] = 0x50;
            bytes[1] = 0x4b;
            bytes[2] = 0x03;
            bytes[3] = 0x04;
            return bytes;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Oracles: skopeo, umoci, zstd, tar

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** {@code skopeo inspect --raw} of a plain-HTTP registry image, as text (exactly the bytes it serves). */
    static String rawManifest(String ref) {
        return Skopeo.inspectRaw(ref, false, null);
    }

    static JsonNode manifest(String ref) {
        return json(rawManifest(ref));
    }

    static String rawConfig(String ref) {
        return Skopeo.inspectConfig(ref, false, null);
    }

    static JsonNode config(String ref) {
        return json(rawConfig(ref));
    }

    static Digest sha256(String text) {
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The layer digests of a manifest, in order. */
    static List<String> layerDigests(JsonNode manifest) {
        List<String> digests = new ArrayList<>();
        manifest.get("layers").forEach(l -> digests.add(l.get("digest").asText()));
        return digests;
    }

    static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    /** Copies a registry image into a new OCI layout with skopeo and unpacks it with umoci; returns the rootfs. */
    static Path unpackFromRegistry(String ref, Path work) {
        Path layout = work.resolve("layout");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Skopeo.copy("docker://" + ref, "oci:" + layout + ":t", "--src-tls-verify=false");
        return umociUnpack(layout, "t", work.resolve("bundle"));
    }

    /** {@code umoci unpack --image layout:tag bundle}; rootless when not run as root. Returns the rootfs. */
    static Path umociUnpack(Path layout, String tag, Path bundle) {
        return Umoci.unpack(layout, tag, bundle);
    }

    /** Runs a program; returns its standard output, or fails the test with its standard error. */
    static byte[] run(String... command) {
        return Commands.bytes(command);
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** A file in an unpacked image: type, permission bits, owner, and for a link its target. */
    record Node(char type, int mode, int uid, int gid, String linkTarget) {
        static Node of(Path path) {
            try {
                PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                int mode = ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
                char type = attributes.isSymbolicLink() ? 'l' : attributes.isDirectory() ? 'd' : attributes.isRegularFile() ? 'f' : '?';
                return new Node(type, mode, uid, gid, attributes.isSymbolicLink() ? Files.readSymbolicLink(path).toString() : null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return type + " " + Integer.toOctalString(mode) + " " + uid + ":" + gid + (linkTarget == null ? "" : " -> " + linkTarget);
        }
    }

    /** Every path under {@code dir} (relative, sorted), not following links. */
    static Map<String, Node> tree(Path dir) {
        Map<String, Node> nodes = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.filter(p -> !p.equals(dir)).forEach(p -> nodes.put(dir.relativize(p).toString(), Node.of(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nodes;
    }

    // ---------------------------------------------------------------------------------------------
    // Access logs

    /** Requests that upload blob content: POST, PUT or PATCH under {@code /blobs/}. */
    static List<AccessLogEntry> blobWrites(List<AccessLogEntry> log) {
        return log.stream()
                .filter(e -> e.path().contains("/blobs/"))
                .filter(e -> e.method().equals("POST") || e.method().equals("PUT") || e.method().equals("PATCH"))
                .toList();
    }

    /** The digests of completed blob uploads ({@code PUT .../blobs/uploads/...?digest=...}). */
    static List<String> uploadedDigests(List<AccessLogEntry> log) {
        List<String> digests = new ArrayList<>();
        for (AccessLogEntry entry : log) {
            if (entry.method().equals("PUT") && entry.path().contains("/blobs/uploads/")) {
                Matcher m = DIGEST_PARAM.matcher(entry.path());
                if (m.find()) {
                    digests.add(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
                }
            }
        }
        return digests;
    }

    /** Requests for blob content ({@code GET .../blobs/sha256:...}), as the digests they asked for. */
    static List<String> blobGets(List<AccessLogEntry> log) {
        return log.stream()
                .filter(e -> e.method().equals("GET") && e.path().matches("/v2/.+/blobs/sha256:[0-9a-f]{64}"))
                .map(e -> e.path().substring(e.path().lastIndexOf('/') + 1))
                .toList();
    }

    static String decoded(AccessLogEntry entry) {
        return URLDecoder.decode(entry.path(), StandardCharsets.UTF_8);
    }
}
