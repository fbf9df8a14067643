package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln help [COMMAND [SUBCOMMAND…]]}: the help of the command the words name, at any depth
 * ({@code kiln help flink build}); picocli's own help command looks at the first word only.
 */
@Command(name = "help", helpCommand = true, description = "Show the help of a command, e.g. 'kiln help flink build'.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command (and subcommands) to show the help of.")
    List<String> words = new ArrayList<>();

    private CommandLine self;
    private PrintWriter out;
    private CommandLine.Help.ColorScheme colors;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine command = self.getParent();
        for (String word : words) {
            CommandLine sub = command.getSubcommands().get(word);
            if (sub == null) {
                throw new CommandLine.ParameterException(self, "unknown command '" + String.join(" ", words) + "'; '"
                        + command.getCommandSpec().qualifiedName() + "' has: " + String.join(", ", command.getSubcommands().keySet()));
            }
            command = sub;
        }
        command.usage(out, colors);
        out.flush();
    }
}
