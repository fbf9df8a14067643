package dev.kiln.cli;

import dev.kiln.api.Kiln;

import java.util.Set;

/** Entry point of the {@code kiln} command. */
public final class Main {
    /** Commands that run an operation on the store or a registry (not help, version or usage errors). */
    private static final Set<String> OPERATIONS = Set.of("build", "flink", "pull", "inspect", "cache", "outdated", "rebase");

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && OPERATIONS.contains(args[0])) {
            // overlaps one-time initialisation with parsing the command line: first what picocli needs
            // now, then what Kiln needs once the command runs (on 2 cores, both at once slowed picocli)
            AnnotationWarmUp.start(KilnCommand.BY_NAME.get(args[0]), Kiln::warmUpInBackground);
        }
        Interruption.install(System.err);
        int exitCode = KilnCommand.execute(args, System.out, System.err);
        Interruption.finished();
        System.exit(exitCode);
    }
}
