package dev.kiln.cli;

import dev.kiln.api.DockerCredentialStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kiln logout REGISTRY}: forgets the credentials {@code kiln login} (or {@code docker login}) kept for a registry. */
@Command(name = "logout", description = "Remove the credentials kept for a registry (from the Docker config's credential helper and its auths).")
final class LogoutCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions common;

    @Mixin
    DockerConfigFileOption dockerConfig;

    @Parameters(paramLabel = "REGISTRY", description = "The registry, HOST[:PORT], as given to login.")
    String registry;

    @Override
    public Integer call() {
        String host = DockerCredentialStore.registryHost(registry);
        boolean removed = dockerConfig.store().erase(host);
        if (common.json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("registry", host);
            result.put("removed", removed);
            Output.print(common.out(), result);
        } else {
            common.out().println(removed ? "removed the credentials for " + host : "no credentials were kept for " + host);
            common.out().flush();
        }
        return KilnCommand.OK;
    }
}
