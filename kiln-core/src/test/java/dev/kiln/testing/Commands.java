package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external programs (skopeo, umoci, tar, keytool…) for tests, failing the test with their stderr. */
public final class Commands {
    /** Long enough for the slowest tool run in tests (a skopeo copy or umoci unpack of a few MB). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private Commands() {
    }

    /** Runs {@code command} and returns its standard output as text; see {@link #bytes(Duration, List)}. */
    static String run(Duration timeout, List<String> command) {
        return new String(bytes(timeout, command), StandardCharsets.UTF_8);
    }

    /** Runs {@code command} with the default timeout and returns its standard output as text. */
    public static String run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs {@code command} with the default timeout and returns its standard output as bytes. */
    public static byte[] bytes(String... command) {
        return bytes(DEFAULT_TIMEOUT, List.of(command));
    }

    /**
     * Runs {@code command} and returns its standard output.
     *
     * @throws AssertionError if the program cannot be started, exits non-zero or exceeds the timeout;
     *                        the message carries the command line and its standard error
     */
    static byte[] bytes(Duration timeout, List<String> command) {
        Path stdout = null;
        Path stderr = null;
        try {
            // Files, not pipes: no reader threads, no deadlock on large outputs.
            stdout = Files.createTempFile("kiln-cmd-", ".out");
            stderr = Files.createTempFile("kiln-cmd-", ".err");
            Process process;
            try {
                process = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command)
                        + "\nstderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("exit code " + process.exitValue() + ": " + String.join(" ", command)
                        + "\nstderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /** The JDK's own {@code keytool}, falling back to the one on the PATH. */
    static String keytool() {
        Path bundled = Path.of(System.getProperty("java.home"), "bin", "keytool");
        return Files.isExecutable(bundled) ? bundled.toString() : "keytool";
    }

    static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
