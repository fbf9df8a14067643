package dev.kiln.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Buildah as the oracle for Dockerfile builds: {@code buildah bud --isolation chroot} with vfs storage
 * under {@code root}, which runs RUN in a chroot of the base (a base with a shell), then {@code buildah
 * push} into an OCI layout. Pulls from plain-HTTP test registries.
 */
public record Buildah(Path root) {
    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs", "--root", root.resolve("storage").toString(),
                "--runroot", root.resolve("run").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Builds {@code dockerfile}, which must fail in a RUN; returns the last line the failing command printed
     * (what a container's shell or command says, before Buildah's own lines).
     */
    public String failure(Path dockerfile, Path context) {
        try {
            Commands.bytes(Duration.ofMinutes(5), command("bud", "--isolation", "chroot", "--tls-verify=false", "--quiet",
                    "--layers=false", "-f", dockerfile.toString(), "-t", "failing", context.toString()));
        } catch (AssertionError e) {
            List<String> lines = e.getMessage().lines()
                    .filter(l -> !l.startsWith("subprocess exited") && !l.startsWith("Error: ") && !l.isBlank()).toList();
            return lines.get(lines.size() - 1);
        }
        throw new AssertionError("Buildah built " + dockerfile + ", which was to fail");
    }

    /** Builds {@code dockerfile} in {@code context} and writes the image to the OCI layout {@code layout} as tag {@code t}. */
    public void build(Path dockerfile, Path context, Path layout, String name) {
        Commands.bytes(Duration.ofMinutes(5), command("bud", "--isolation", "chroot", "--tls-verify=false", "--quiet",
                "--layers=false", "-f", dockerfile.toString(), "-t", name, context.toString()));
        Commands.bytes(Duration.ofMinutes(5), command("push", "--quiet", name, "oci:" + layout + ":t"));
    }
}
