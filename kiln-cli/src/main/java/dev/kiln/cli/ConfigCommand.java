package dev.kiln.cli;

import dev.kiln.config.KilnConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "config", description = "Kiln's configuration (config.yaml and KILN_* environment variables).",
        subcommands = ConfigCommand.Show.class)
final class ConfigCommand {

    @Command(name = "show", description = "Print the effective configuration, with every secret redacted.")
    static final class Show implements Callable<Integer> {
        @Mixin
        GlobalOptions common;

        @Override
        public Integer call() {
            KilnConfig config = common.config();
            if (common.json) {
                Output.print(common.report(), config.redacted());
            } else {
                common.report().print(config.toYaml());
                common.report().flush();
            }
            return KilnCommand.OK;
        }
    }
}
