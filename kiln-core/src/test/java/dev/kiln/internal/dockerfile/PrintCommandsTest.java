package dev.kiln.internal.dockerfile;

import dev.kiln.testing.Commands;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code echo} and {@code printf} print, against dash's own builtins. */
class PrintCommandsTest {
    @Test
    void printfAndEchoPrintWhatDashPrints() {
        List<List<String>> cases = List.of(
                List.of("printf", "a%sb\\n", "1", "2", "3"), List.of("printf", "%s=%s\\n", "k1", "v1", "k2"), List.of("printf", "%s"),
                List.of("printf", "%%\\t%s\\\\\\n", "x"), List.of("printf", "no newline"), List.of("printf", "%s\\n", "a\\nb"),
                List.of("echo"), List.of("echo", "a", "", "b"), List.of("echo", "-1", "--", "x=y"), List.of("echo", "it's", "\"q\""));
        for (List<String> command : cases) {
            StringBuilder out = new StringBuilder();
            PrintCommands.print(command.get(0), command.subList(1, command.size()), out);
            assertThat(out.toString()).as("%s", command).isEqualTo(Commands.run(withShellName(command)));
        }
    }

    private static String[] withShellName(List<String> command) {
        String[] argv = new String[command.size() + 4];
        argv[0] = "dash";
        argv[1] = "-c";
        argv[2] = "\"$@\"";
        argv[3] = "sh";
        for (int i = 0; i < command.size(); i++) {
            argv[i + 4] = command.get(i);
        }
        return argv;
    }
}
