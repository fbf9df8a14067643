package dev.kiln.cli;

import dev.kiln.api.DockerCredentialStore;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --docker-config} of the commands that write credentials (login, logout): which Docker config they change. */
final class DockerConfigFileOption {
    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "Docker client config to keep the credentials in (default: $DOCKER_CONFIG/config.json or "
                    + "~/.docker/config.json); created when missing. Its credsStore or credHelpers helper, if it names one, keeps them instead.")
    Path file;

    /** Where the credentials go. */
    DockerCredentialStore store() {
        return file != null ? DockerCredentialStore.of(file) : DockerCredentialStore.ofCurrentUser();
    }
}
