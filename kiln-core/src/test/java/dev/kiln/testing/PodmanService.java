package dev.kiln.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Podman's Docker-compatible API service ({@code podman system service}), the Docker daemon of the
 * tests: rootful, vfs storage, every directory (storage, run state, temporary files, socket) in a
 * private temporary directory, so the machine's own containers storage is never touched.
 */
public final class PodmanService implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Process process;
    private final Path socket;

    private PodmanService(Path dir) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("podman.sock");
        Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(globalOptions());
        command.addAll(List.of("system", "service", "--time=0", host()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("service.log").toFile());
        builder.environment().put("TMPDIR", dir.resolve("tmp").toString());
        this.process = builder.start();
    }

    /** Starts a service and waits until it answers {@code /_ping}. */
    public static PodmanService start() {
        try {
            PodmanService service = new PodmanService(Files.createTempDirectory("kiln-podman-"));
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start podman system service (is podman installed?)", e);
        }
    }

    private List<String> globalOptions() {
        return List.of("podman", "--root", dir.resolve("root").toString(), "--runroot", dir.resolve("run").toString(),
                "--tmpdir", dir.resolve("libpod-tmp").toString(), "--storage-driver", "vfs", "--events-backend", "file",
                "--cgroup-manager", "cgroupfs");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("podman system service exited: " + log());
            }
            if (Files.exists(socket) && ping()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting podman", e);
            }
        }
        throw new IllegalStateException("podman system service did not answer within " + START_TIMEOUT + ": " + log());
    }

    private boolean ping() {
        try {
            String out = Commands.run("curl", "-sf", "--unix-socket", socket.toString(), "http://d/_ping");
            return out.strip().equals("OK");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code unix:///…/podman.sock}, as {@code DOCKER_HOST} would say it. */
    public String host() {
        return "unix://" + socket;
    }

    /** Runs the {@code podman} CLI on this service's storage (an independent view of what the API did). */
    public String podman(String... args) {
        List<String> command = new ArrayList<>(globalOptions());
        command.addAll(List.of(args));
        return Commands.run(command.toArray(String[]::new));
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("service.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }

    @Override
    public String toString() {
        return "podman at " + host();
    }
}
