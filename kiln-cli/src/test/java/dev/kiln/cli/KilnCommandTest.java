package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class KilnCommandTest {

    @Test
    void theCommandsByNameAreTheTreesSubcommandsButHelp() {
        Map<String, Class<?>> fromAnnotations = Arrays.stream(KilnCommand.class.getAnnotation(Command.class).subcommands())
                .filter(command -> command != HelpCommand.class)
                .collect(Collectors.toMap(command -> command.getAnnotation(Command.class).name(), command -> command));

        assertThat(KilnCommand.BY_NAME).isEqualTo(fromAnnotations);
    }
}
