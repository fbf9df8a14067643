package dev.kiln.cli;

import dev.kiln.image.PullPolicy;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kiln completion bash|zsh}: a completion script made from the command model itself (picocli's
 * generator), so that it completes exactly the commands and options there are, and the values of the options
 * whose values are a short fixed list. zsh runs the same script through its bash compatibility ({@code bashcompinit}).
 */
@Command(name = "completion", description = "Print a shell completion script: add 'source <(kiln completion bash)' to ~/.bashrc, "
        + "or 'source <(kiln completion zsh)' to ~/.zshrc.")
final class CompletionCommand implements Callable<Integer> {
    /** The shells there is a script for. */
    enum Shell { bash, zsh }

    /** The options whose values are a short fixed list, with that list; the option names are the same in every command. */
    static final Map<String, List<String>> VALUES = Map.of(
            "--policy", Arrays.stream(PullPolicy.values()).map(PullPolicy::cliName).toList(),
            "--compression", List.of("gzip", "zstd"),
            "--upgrade-mode", List.of("stateless", "savepoint", "last-state"),
            "--platform", List.of("linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le",
                    "linux/s390x", "linux/riscv64", "linux/amd64,linux/arm64"));

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Spec
    CommandSpec self;

    @Override
    public Integer call() {
        CommandLine model = new CommandLine(new KilnCommand());
        withValues(model);
        String script = AutoComplete.bash("kiln", model);
        CommandLine out = self.commandLine();
        if (shell == Shell.zsh) {
            out.getOut().println("#compdef kiln");
            out.getOut().println("# zsh runs this bash completion script through bashcompinit, which the script loads itself.");
        }
        out.getOut().print(script);
        out.getOut().flush();
        return KilnCommand.OK;
    }

    /** Gives the options of {@link #VALUES}, in every command of {@code command}'s tree, their values as completion candidates. */
    private static void withValues(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        for (OptionSpec option : List.copyOf(spec.options())) {
            List<String> values = VALUES.get(option.longestName());
            if (values != null) {
                spec.remove(option);
                spec.addOption(option.toBuilder().completionCandidates(values).build());
            }
        }
        command.getSubcommands().values().stream().distinct().forEach(CompletionCommand::withValues);
    }
}
