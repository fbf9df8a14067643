package dev.kiln.cli;

import picocli.CommandLine;

/** Entry point of the {@code kiln} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(KilnCommand.execute(args, System.out, System.err));
    }
}
