package dev.kiln.cli;

import dev.kiln.api.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process stopped by SIGINT or SIGTERM says on its way out: the JVM runs this hook (and then
 * exits 130 or 143) while an operation is still running. Locks and leases are file locks, which the
 * operating system releases with the process; partial downloads stay in the store's {@code ingest/}
 * for the next run to continue, and nothing is half-published (a manifest is always pushed last).
 */
final class Interruption {
    private static volatile Path storeDir;
    private static volatile boolean finished;
    private static volatile PrintStream err = System.err;

    private Interruption() {
    }

    /** Called once by {@link Main}: installs the hook that reports an interruption on {@code stderr}. */
    static void install(PrintStream stderr) {
        err = stderr;
        Runtime.getRuntime().addShutdownHook(new Thread(Interruption::report, "kiln-interrupted"));
    }

    /** An operation on the store at {@code dir} has started. */
    static void operating(Path dir) {
        storeDir = dir;
    }

    /** The command is over: exiting now is not an interruption. */
    static void finished() {
        finished = true;
    }

    private static void report() {
        if (finished) {
            return;
        }
        Path dir = storeDir;
        long kept = dir == null ? 0 : partialBytes(dir.resolve("ingest"));
        err.println("interrupted" + (kept > 0 ? ": " + Units.formatSize(kept) + " kept for the next run" : ""));
        err.flush();
    }

    private static long partialBytes(Path ingest) {
        if (!Files.isDirectory(ingest)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(ingest)) {
            return files.filter(f -> !f.getFileName().toString().startsWith("new-")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException unreadable) {
            return 0;
        }
    }
}
