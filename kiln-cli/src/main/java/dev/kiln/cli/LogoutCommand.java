package dev.kiln.cli;

import dev.kiln.api.DockerCredentialStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kiln logout REGISTRY}: forgets the credentials {@code kiln login} (or {@code docker login}) kept for a registry. */
@Command(name = "logout", description = "Remove the credentials kept for a registry (from the Docker config's credential helper and its auths).")
final class LogoutCommand extends CredentialsCommand {
    @Parameters(paramLabel = "REGISTRY", description = "The registry, HOST[:PORT], as given to login.")
    String registry;

    /** What {@code --json} prints: the registry, and whether it had credentials to remove. */
    record LoggedOut(String registry, boolean removed) implements Change {
        @Override
        public String line() {
            return removed ? "removed the credentials for " + registry : "no credentials were kept for " + registry;
        }
    }

    @Override
    String registry() {
        return registry;
    }

    @Override
    Change change(String host, DockerCredentialStore store) {
        return new LoggedOut(host, store.erase(host));
    }
}
