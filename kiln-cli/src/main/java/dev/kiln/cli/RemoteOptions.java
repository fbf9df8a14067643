package dev.kiln.cli;

import dev.kiln.error.InvalidInputException;
import dev.kiln.server.client.RemoteBuilds;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --server URL [--token-file F]}: build on a {@code kiln serve} instead of locally ({@code build}, {@code flink build}). */
final class RemoteOptions {
    @Option(names = "--server", paramLabel = "URL",
            description = "Build on this kiln serve (http://builder:8080) instead of locally: files it lacks are uploaded, "
                    + "the build's events are shown as a local build's, the exit code is the build's.")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "With --server: the bearer token (a role of build or admin) is in FILE.")
    Path tokenFile;

    /** Whether the build runs on a server. */
    boolean remote() {
        if (server == null && tokenFile != null) {
            throw new InvalidInputException("--token-file goes with --server URL");
        }
        return server != null;
    }

    /** The client of the server; the token is read here, before any request. */
    RemoteBuilds builds() {
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw new InvalidInputException("--token-file " + tokenFile + " cannot be read: " + e.getMessage());
            }
        }
        try {
            return new RemoteBuilds(server, token, Files.createTempDirectory("kiln-remote"));
        } catch (IOException e) {
            throw new InvalidInputException("cannot make a temporary directory: " + e.getMessage());
        }
    }
}
