package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.event.KilnListener;
import dev.kiln.server.client.RemoteBuilds;
import picocli.CommandLine.Mixin;

/**
 * A command that builds an image (build, flink build): on the local store, or with {@code --server} on a
 * {@code kiln serve}, the same request either way and the same result printed.
 *
 * @param <R> the build's result
 */
abstract class ImageBuildCommand<R> extends RegistryCommand {
    @Mixin
    RemoteOptions remote;

    /** Builds the request {@link #check()} made, here. */
    abstract R build(Kiln kiln);

    /** Builds the request {@link #check()} made, on {@code server}, its events shown on {@code log}. */
    abstract R build(RemoteBuilds server, KilnListener log);

    /** Prints the result; returns the exit code. */
    abstract int print(R result);

    @Override
    public Integer call() {
        if (!remote.remote()) {
            return super.call();
        }
        check();
        return print(build(remote.builds(), common.stepLog()));
    }

    @Override
    int run(Kiln kiln) {
        return print(build(kiln));
    }
}
