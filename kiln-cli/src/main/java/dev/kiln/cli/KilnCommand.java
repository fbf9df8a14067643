package dev.kiln.cli;

import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The top-level {@code kiln} command: its subcommands (the whole tree, which help, completion, the man
 * pages and the documentation tests see), and how failures become exit codes; its own attributes are
 * {@link KilnRoot}'s.
 */
@Command(subcommands = {BuildCommand.class, FlinkCommand.class, PullCommand.class, InspectCommand.class, CacheCommand.class, OutdatedCommand.class, RebaseCommand.class, ConfigCommand.class, ServeCommand.class,
        LoginCommand.class, LogoutCommand.class, CompletionCommand.class, HelpCommand.class})
public final class KilnCommand extends KilnRoot {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    /**
     * Runs the command line; returns the exit code: 0 ok; 2 for an error in the command line itself (flags,
     * values, contradictory options, files it names) found before any work; 1 for everything else.
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine commandLine = commandLine(args);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println("kiln: error: " + oneLine(e));
            if (!(cmd.getCommandSpec().userObject() instanceof LoginCommand)) {   // login's refusal is the answer it asked for
                hint(e).ifPresent(hint -> cmd.getErr().println("kiln: hint: " + hint));
            }
            cmd.getErr().flush();
            // one rule: 2 for the command line itself, found before any work; 1 for everything else
            return e instanceof InvalidInputException && !GlobalOptions.workStarted(cmd.getCommandSpec()) ? USAGE : FAILURE;
        });
        // a usage error: the error and where to read more, not the whole usage (it would scroll the error away)
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter stderr = e.getCommandLine().getErr();
            Optional<String> refused = refusedValue(e);
            if (refused.isPresent()) {
                stderr.println("kiln: error: " + refused.get());
                stderr.flush();
                return USAGE;
            }
            if (!e.getCommandLine().getSubcommands().isEmpty() && e.getMessage().startsWith("Missing required subcommand")) {
                // a bare command group: its usage is the short list of what it can do
                e.getCommandLine().usage(stderr);
                return USAGE;
            }
            stderr.println("kiln: error: " + e.getMessage());
            stderr.println("see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            stderr.flush();
            return USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * The subcommands by name, but {@code help} (which needs the whole tree), so that the one a command line
     * names is found without reading every command's annotations (~15 ms of a short-lived JVM: they hold
     * the help texts). {@code KilnCommandTest} checks it against the {@code subcommands} above.
     */
    static final Map<String, Class<?>> BY_NAME = Map.ofEntries(Map.entry("build", BuildCommand.class),
            Map.entry("flink", FlinkCommand.class), Map.entry("pull", PullCommand.class), Map.entry("inspect", InspectCommand.class),
            Map.entry("cache", CacheCommand.class), Map.entry("outdated", OutdatedCommand.class), Map.entry("rebase", RebaseCommand.class),
            Map.entry("config", ConfigCommand.class), Map.entry("serve", ServeCommand.class), Map.entry("login", LoginCommand.class),
            Map.entry("logout", LogoutCommand.class), Map.entry("completion", CompletionCommand.class));

    /**
     * The tree {@code args} need: when the first word names a command, {@link KilnRoot} with that command
     * alone (picocli reflects on every command it is given, and for the others' options that was a tenth
     * of a no-op build's CPU time); anything else (help, an option, a typo) gets the whole tree.
     */
    private static CommandLine commandLine(String[] args) {
        Class<?> command = args.length > 0 ? BY_NAME.get(args[0]) : null;
        return command != null ? new CommandLine(new KilnRoot()).addSubcommand(command) : new CommandLine(new KilnCommand());
    }

    /**
     * Advice for the command line's user, which the API's messages leave out: how to give Kiln
     * credentials when a registry refused them or wants some.
     */
    static Optional<String> hint(Exception e) {
        if (!(e instanceof RegistryException failure) || !failure.isAuthentication()) {
            return Optional.empty();
        }
        String registry = failure.registry().orElse("HOST");
        return Optional.of("to give credentials for " + registry + ", run 'kiln login " + registry
                + "' (or docker login), or set them in config.yaml (registries: { \"" + registry + "\": { credentials: … } })");
    }

    /**
     * The one line for an option value refused as picocli converted it ({@link OptionValues}), worded as when a
     * command's own check refuses one: the API's message, or the option, the value and the form it expected.
     */
    private static Optional<String> refusedValue(CommandLine.ParameterException e) {
        if (e.getCause() instanceof InvalidInputException invalid) {
            return Optional.of(oneLine(invalid));
        }
        if (e.getCause() instanceof TypeConversionException wrong && e.getArgSpec() instanceof OptionSpec option) {
            return Optional.of("invalid " + option.longestName() + " '" + e.getValue() + "': " + wrong.getMessage());
        }
        return Optional.empty();
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage();
        if (!(e instanceof KilnException) || message == null) {
            message = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }
        return message.replace('\n', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = KilnCommand.class.getResourceAsStream("/kiln-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[]{"kiln " + properties.getProperty("version", "unknown")
                    + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
