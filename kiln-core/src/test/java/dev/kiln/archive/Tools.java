package dev.kiln.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools the archive tests check against: skopeo, umoci, GNU tar. */
final class Tools {
    private static final long TIMEOUT_SECONDS = 120;

    private Tools() {
    }

    /** Runs {@code command}, returning its standard output as bytes; a failure carries its stderr. */
    static byte[] runBytes(String... command) {
        Path stdout = null;
        Path stderr = null;
        try {
            // files, not pipes: no reader threads, no deadlock on large outputs
            stdout = Files.createTempFile("kiln-archive-", ".out");
            stderr = Files.createTempFile("kiln-archive-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("exit code " + process.exitValue() + ": " + String.join(" ", command)
                        + "\nstderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(stdout);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        } finally {
            for (Path p : new Path[] {stdout, stderr}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
    }

    static String run(String... command) {
        return new String(runBytes(command), StandardCharsets.UTF_8);
    }

    static String skopeo(String... args) {
        String[] command = new String[args.length + 2];
        command[0] = "skopeo";
        command[1] = "--insecure-policy"; // no /etc/containers/policy.json needed for local transports
        System.arraycopy(args, 0, command, 2, args.length);
        return run(command);
    }

    /**
     * {@code umoci unpack} of {@code layout:tag} into a new bundle; returns the bundle's rootfs.
     * Rootless when not run as root, since unpacking as an ordinary user needs it.
     */
    static Path umociUnpack(Path layout, String tag, Path bundle) {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = new java.util.ArrayList<>(List.of("umoci", "unpack"));
        if (!root) {
            command.add("--rootless");
        }
        command.addAll(List.of("--image", layout + ":" + tag, bundle.toString()));
        run(command.toArray(String[]::new));
        return bundle.resolve("rootfs");
    }
}
