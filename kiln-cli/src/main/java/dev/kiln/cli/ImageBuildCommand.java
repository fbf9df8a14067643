package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.event.KilnListener;
import dev.kiln.server.client.RemoteBuilds;
import picocli.CommandLine.Mixin;

/**
 * A command that builds an image (build, flink build): on the local store, or with {@code --server} on a
 * {@code kiln serve}, the same request either way and the same result printed.
 *
 * @param <Q> the build's request, made by {@link #check()}
 * @param <R> the build's result
 */
abstract class ImageBuildCommand<Q, R> extends RegistryCommand {
    /** One kind of build as Kiln and the server's client both run it: {@code on.build(request, log)}. */
    @FunctionalInterface
    interface Run<T, Q, R> {
        R run(T on, Q request, KilnListener log);
    }

    @Mixin
    RemoteOptions remote;

    /** The request; {@link #check()} makes it. */
    Q request;

    private final Run<Kiln, Q, R> here;
    private final Run<RemoteBuilds, Q, R> onServer;

    ImageBuildCommand(Run<Kiln, Q, R> here, Run<RemoteBuilds, Q, R> onServer) {
        this.here = here;
        this.onServer = onServer;
    }

    /** Prints the result; returns the exit code. */
    abstract int print(R result);

    @Override
    public Integer call() {
        if (!remote.remote()) {
            return super.call();
        }
        check();
        return print(onServer.run(remote.builds(), request, common.stepLog()));
    }

    @Override
    int run(Kiln kiln) {
        // the open Kiln's own listener is the step log already
        return print(here.run(kiln, request, KilnListener.NONE));
    }
}
