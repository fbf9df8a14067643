package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.config.KilnConfig;
import dev.kiln.event.KilnListener;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Options every command takes, because they act everywhere: where the store and the configuration are,
 * and how to print. Commands that talk to registries take {@link RegistryOptions}, which adds how to reach them.
 */
class GlobalOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Kiln's cache directory (default: $KILN_CACHE_DIR or ~/.kiln).")
    Path cacheDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: $KILN_CONFIG, else config.yaml in the cache directory, if there is one).")
    Path configFile;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of human output.")
    boolean json;

    @Option(names = {"-q", "--quiet"},
            description = "Print only the result line (the image with its digest; nothing for commands without one), no step log.")
    boolean quiet;

    /** The command this mixin belongs to, for its output streams. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * Standard output for the command's result: under {@code -q} (without {@code --json}) only the first
     * line written gets through, the result line every command with a result prints first.
     */
    PrintWriter out() {
        PrintWriter stdout = command.commandLine().getOut();
        if (!quiet || json) {
            return stdout;
        }
        if (resultLine == null) {
            resultLine = new PrintWriter(new FirstLine(stdout), true);
        }
        return resultLine;
    }

    private PrintWriter resultLine;
    private ConsoleLog log;

    /**
     * Whether the command {@code spec} describes had begun its work (a step, a request) when it failed:
     * an invalid input found then is no error in the command line, and exits 1, not 2.
     */
    static boolean workStarted(CommandSpec spec) {
        return spec.mixins().values().stream().map(CommandSpec::userObject).filter(GlobalOptions.class::isInstance)
                .map(o -> ((GlobalOptions) o).log).anyMatch(l -> l != null && l.workStarted());
    }

    /**
     * Standard output for a command without a result line (listings, reports): nothing under {@code -q}
     * without {@code --json}.
     */
    PrintWriter report() {
        return quiet && !json ? new PrintWriter(Writer.nullWriter()) : command.commandLine().getOut();
    }

    /** Standard error, for lines that report a failure. */
    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /** The configuration file and environment overrides; the command's flags are applied over them. */
    KilnConfig config() {
        return KilnConfig.discover(configFile, cacheDir != null ? cacheDir : Kiln.defaultCacheDir());
    }

    /** Kiln with the step log on stderr: quiet under --json or -q, or when {@code stepLog} is false. */
    Kiln open(boolean stepLog) {
        return open(stepLog, false);
    }

    /** {@link #open(boolean)} on a store that must exist already (commands that look after the cache). */
    Kiln openExisting(boolean stepLog) {
        return open(stepLog, true);
    }

    /** What the command's own options add to the Kiln it opens (the registry options do). */
    void configure(KilnBuilder builder) {
    }

    /** The step log on stderr (quiet under --json or -q): also what shows a build that runs on a server. */
    KilnListener stepLog() {
        return stepLog(true);
    }

    private ConsoleLog stepLog(boolean shown) {
        log = new ConsoleLog(err(), quiet || json || !shown, System.console() != null);
        return log;
    }

    private Kiln open(boolean stepLog, boolean existingStore) {
        KilnBuilder builder = config().applyTo(Kiln.builder().listener(stepLog(stepLog)));
        if (cacheDir != null) {
            builder.cacheDir(cacheDir);
        }
        configure(builder);
        if (existingStore) {
            builder.existingStoreOnly();
        }
        Kiln kiln = builder.build();
        Interruption.operating(kiln.storeDir());
        return kiln;
    }

    /** Passes the first line written through to {@code out} and drops the rest. */
    private static final class FirstLine extends Writer {
        private final PrintWriter out;
        private boolean done;

        FirstLine(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            for (int i = offset; i < offset + length && !done; i++) {
                out.write(chars[i]);
                done = chars[i] == '\n';
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
