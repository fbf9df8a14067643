package dev.kiln.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.image.Digest;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.TestJars;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@link KilnCommand#execute} in-process and captures what it prints; store and access-log helpers. */
final class Cli {
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private Cli() {
    }

    /** One run: exit code, stdout, stderr. */
    record Result(int exitCode, String out, String err) {
        /** Stdout as the one JSON document it must be. */
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not one JSON document: " + e.getMessage() + "\nstdout:\n" + out
                        + "\nstderr:\n" + err, e);
            }
        }

        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        /** The lines of stderr that report the failure. */
        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith("kiln: error: ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /** Runs kiln with {@code args} as given. */
    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = KilnCommand.execute(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs kiln with {@code args} plus {@code --cache-dir cacheDir} and, for a command that talks to
     * registries, a Docker config without credentials (so that the user's credentials never play a part).
     */
    static Result run(Path cacheDir, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--cache-dir", cacheDir.toString()));
        if (takesRegistryOptions(args)) {
            all.addAll(List.of("--docker-config", noCredentials().toString()));
        }
        return run(all.toArray(String[]::new));
    }

    /** Whether the command {@code args} name (their leading words) has {@code --docker-config}. */
    static boolean takesRegistryOptions(String... args) {
        CommandLine command = new CommandLine(new KilnCommand());
        for (String word : args) {
            CommandLine sub = command.getSubcommands().get(word);
            if (sub == null) {
                break;
            }
            command = sub;
        }
        return command.getCommandSpec().findOption("--docker-config") != null;
    }

    /** A Docker client config with no credentials ({@code {}}), so that the user's own never play a part. */
    static synchronized Path noCredentials() {
        if (noCredentials == null) {
            try {
                Path file = Files.createTempFile("kiln-test-docker-config-", ".json");
                Files.writeString(file, "{}");
                file.toFile().deleteOnExit();
                noCredentials = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return noCredentials;
    }

    private static Path noCredentials;

    /** Like {@link #run(Path, String...)} but asserts exit code 0. */
    static Result ok(Path cacheDir, String... args) {
        Result result = run(cacheDir, args);
        assertThat(result.exitCode()).as("exit code of kiln %s\n%s", String.join(" ", args), result).isZero();
        return result;
    }

    static Path blobsDir(Path cacheDir) {
        return cacheDir.resolve("store").resolve("blobs").resolve("sha256");
    }

    /** File names (hex digests) under store/blobs/sha256, sorted; empty when the directory does not exist. */
    static List<String> blobFiles(Path cacheDir) {
        return files(blobsDir(cacheDir));
    }

    static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every regular file below {@code dir}, recursively. */
    static List<Path> allFiles(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long totalSize(List<Path> files) {
        return files.stream().mapToLong(f -> {
            try {
                return Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }

    /** The sha256 of a file's content. */
    static Digest sha256(Path file) {
        var sha256 = Digest.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Digest.fromSha256(sha256.digest());
    }

    /** The access-log entries that GET a blob with this digest. */
    static List<AccessLogEntry> blobGets(List<AccessLogEntry> log, Digest digest) {
        return log.stream().filter(e -> e.method().equals("GET") && e.path().endsWith("/blobs/" + digest)).toList();
    }

    /**
     * Starts kiln in a process of its own (a real JVM, as the CLI runs), with stdout and stderr in
     * {@code outputPrefix.out} and {@code .err}.
     */
    static Process spawn(Path outputPrefix, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command)
                .redirectOutput(outputPrefix.resolveSibling(outputPrefix.getFileName() + ".out").toFile())
                .redirectError(outputPrefix.resolveSibling(outputPrefix.getFileName() + ".err").toFile())
                .start();
    }

    /** A job jar at {@code jar} whose manifest names {@code com.example.Orders} and whose content is {@code content}. */
    static Path jobJar(Path jar, String content) throws IOException {
        return TestJars.withMainClass(jar, "com.example.Orders", content);
    }
}
