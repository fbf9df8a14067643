package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command line that names a command is parsed by a tree holding that command alone (so that a short
 * command does not pay for reflecting on all the others): what it sees must be what the whole tree has.
 */
class CommandTreeTest {
    @Test
    void everyCommandAloneHasTheHelpItHasInTheWholeTree() {
        CommandLine whole = new CommandLine(new KilnCommand());
        assertThat(whole.getSubcommands()).hasSizeGreaterThan(10);
        for (String name : whole.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Cli.Result alone = Cli.run(name, "--help");
            Cli.Result inWhole = Cli.run("help", name);
            assertThat(alone.exitCode()).as(name).isZero();
            assertThat(alone.out()).as("kiln " + name + " --help").startsWith("Usage: kiln " + name).isEqualTo(inWhole.out());
        }
    }

    @Test
    void theWholeTreeKeepsTheRootsAttributes() {
        CommandLine whole = new CommandLine(new KilnCommand());
        assertThat(whole.getCommandName()).isEqualTo("kiln");
        assertThat(whole.getCommandSpec().findOption("--version")).isNotNull();
        assertThat(Cli.run("build", "--version").out()).startsWith("kiln ");
    }
}
