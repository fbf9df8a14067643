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
        CommonOptions common;

        @Override
        public Integer call() {
            KilnConfig config = common.config();
            if (common.json) {
                Output.print(common.out(), config.redacted());
            } else {
                common.out().print(config.toYaml());
                common.out().flush();
            }
            return KilnCommand.OK;
        }
    }
}
