package dev.kiln.cli;

import dev.kiln.api.Kiln;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * A command that talks to registries (build, flink build, pull, inspect, rebase, outdated, cache refresh): it takes
 * {@link RegistryOptions}, checks its own options before Kiln is opened, then runs on Kiln with the step log on stderr.
 */
abstract class RegistryCommand implements Callable<Integer> {
    @Mixin
    RegistryOptions common;

    /** Checks the command's own options (and makes its request) before Kiln is opened; nothing by default. */
    void check() {
    }

    /** Whether the command works on a store that exists already (it never creates one). */
    boolean existingStoreOnly() {
        return false;
    }

    /** Runs on the open Kiln, printing to {@code common}'s streams; returns the exit code. */
    abstract int run(Kiln kiln);

    @Override
    public Integer call() {
        check();
        try (Kiln kiln = existingStoreOnly() ? common.openExisting(true) : common.open(true)) {
            return run(kiln);
        }
    }
}
