package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's Usage and Configuration sections and the CLI's own model (picocli's) name the same options,
 * so that neither can drift from the other: every option a command has is documented, every option the
 * README names exists, and an option shown in a command's row of the command table is that command's.
 */
class DocumentedOptionsTest {
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
    /** A row of the command table: {@code | `kiln cache prune [--max-size SIZE …]` | …}. */
    private static final Pattern COMMAND_ROW = Pattern.compile("^\\| `kiln ([a-z -]+?)(?: [\\[A-Z(-]|`)(.*?)` \\|");
    /**
     * Options of other tools the README quotes: Dockerfile's {@code COPY --chmod} and {@code RUN --mount}, {@code flink
     * run-application --target}, {@code skopeo copy --override-arch}.
     */
    private static final Set<String> FOREIGN = Set.of("--chmod", "--mount", "--target", "--override-arch");
    /** Options every command has from picocli itself. */
    private static final Set<String> STANDARD = Set.of("--help", "--version");

    private static final Map<String, CommandSpec> COMMANDS = commands();

    private static Map<String, CommandSpec> commands() {
        Map<String, CommandSpec> all = new LinkedHashMap<>();
        collect(new CommandLine(new KilnCommand()), all);
        return all;
    }

    private static void collect(CommandLine command, Map<String, CommandSpec> into) {
        String name = command.getCommandSpec().qualifiedName(" ");
        into.put(name.equals("kiln") ? "" : name.substring("kiln ".length()), command.getCommandSpec());
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, into));
    }

    private static String usageDocs() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("\n## Usage");
        int end = readme.indexOf("\n## Architecture");
        assertThat(start).as("README has a Usage section").isPositive();
        return readme.substring(start, end);
    }

    private static Set<String> options(CommandSpec command) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : command.options()) {
            if (!option.hidden()) {
                for (String name : option.names()) {
                    if (name.startsWith("--") && !STANDARD.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    @Test
    void everyOptionOfEveryCommandIsDocumented() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher m = OPTION.matcher(usageDocs());
        while (m.find()) {
            documented.add(m.group());
        }
        List<String> undocumented = new ArrayList<>();
        COMMANDS.forEach((name, spec) -> options(spec).stream().filter(o -> !documented.contains(o))
                .forEach(o -> undocumented.add("kiln " + name + " " + o)));
        assertThat(undocumented).as("options the README's Usage and Configuration sections never mention").isEmpty();
    }

    @Test
    void everyOptionTheReadmeNamesExists() throws IOException {
        Set<String> existing = new TreeSet<>(STANDARD);
        COMMANDS.values().forEach(spec -> existing.addAll(options(spec)));
        Set<String> unknown = new TreeSet<>();
        Matcher m = OPTION.matcher(usageDocs());
        while (m.find()) {
            if (!existing.contains(m.group()) && !FOREIGN.contains(m.group())) {
                unknown.add(m.group());
            }
        }
        assertThat(unknown).as("options the README names that no command has").isEmpty();
    }

    @Test
    void theOptionsInACommandsRowAreThatCommands() throws IOException {
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (String line : usageDocs().lines().toList()) {
            Matcher row = COMMAND_ROW.matcher(line);
            if (!row.find() || !COMMANDS.containsKey(row.group(1).strip())) {
                continue;
            }
            rows++;
            String command = row.group(1).strip();
            Set<String> own = options(COMMANDS.get(command));
            Matcher option = OPTION.matcher(row.group(2));
            while (option.find()) {
                if (!own.contains(option.group()) && !STANDARD.contains(option.group())) {
                    wrong.add("kiln " + command + " " + option.group());
                }
            }
        }
        assertThat(rows).as("command rows found in the README").isGreaterThanOrEqualTo(10);
        assertThat(wrong).as("options in a command's row that the command does not have").isEmpty();
    }
}
