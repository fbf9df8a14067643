package dev.kiln.cli;

import dev.kiln.api.DockerCredentialStore;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * A command that changes the credentials kept for one registry in the Docker config (login, logout): it names the
 * registry as Docker does, and prints what it did as one line, or under {@code --json} as that record's JSON.
 */
abstract class CredentialsCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions common;

    @Mixin
    DockerConfigFileOption dockerConfig;

    /** What a command did, as a record its JSON is made of, and as the line people read. */
    interface Change {
        /** The human line. */
        String line();
    }

    /** The registry the command line names, {@code HOST[:PORT]} or Docker Hub's aliases. */
    abstract String registry();

    /** Changes what {@code store} keeps for {@code host}. */
    abstract Change change(String host, DockerCredentialStore store);

    @Override
    public Integer call() {
        Change change = change(DockerCredentialStore.registryHost(registry()), dockerConfig.store());
        if (common.json) {
            Output.print(common.out(), change);
        } else {
            common.out().println(change.line());
            common.out().flush();
        }
        return KilnCommand.OK;
    }
}
