package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kiln completion bash|zsh}: the script is sourced in a real bash (and zsh) and its completion function
 * is called as the shell calls it, with the words of a command line; the candidates it offers are asserted.
 */
class CompletionCommandTest {
    @TempDir
    Path dir;

    /** The candidates the script offers for the last of {@code words} (the word being completed), in {@code shell}. */
    private List<String> complete(String shell, String... words) throws IOException, InterruptedException {
        Cli.Result script = Cli.run("completion", shell);
        assertThat(script.exitCode()).as(script.toString()).isZero();
        Path file = Files.writeString(dir.resolve("kiln." + shell), script.out());
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word).append("'");
        }
        String call = shell.equals("bash")
                ? "source '" + file + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                  + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
                  + "$(complete -p kiln | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p') kiln 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\""
                // zsh: what bashcompinit's _bash_complete does before it calls the function the script registered
                : "source '" + file + "'; [[ ${_comps[kiln]} == '_bash_complete -F _complete_kiln'* ]] || exit 3; setopt ksharrays; "
                  + "COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE=\"${COMP_WORDS[*]}\"; "
                  + "_complete_kiln kiln 2>/dev/null; print -rl -- \"${COMPREPLY[@]}\"";
        Process process = new ProcessBuilder(shell.equals("bash") ? List.of("bash", "--norc", "-c", call) : List.of("zsh", "-f", "-c", call))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out.lines().filter(line -> !line.isEmpty()).toList();
    }

    @Test
    void bashCompletesCommandsOptionsAndFiniteValues() throws Exception {
        assertThat(complete("bash", "kiln", "")).contains("build", "flink", "pull", "login", "logout", "completion", "help");
        assertThat(complete("bash", "kiln", "lo")).containsExactly("login", "logout");
        assertThat(complete("bash", "kiln", "flink", "")).containsExactly("build");
        assertThat(complete("bash", "kiln", "pull", "--pol")).containsExactly("--policy");
        assertThat(complete("bash", "kiln", "login", "--p")).containsExactly("--password-stdin");
        assertThat(complete("bash", "kiln", "pull", "--policy", ""))
                .containsExactly("if-not-present", "always", "never", "revalidate", "stale-while-revalidate");
        assertThat(complete("bash", "kiln", "build", "--compression", "")).containsExactly("gzip", "zstd");
        assertThat(complete("bash", "kiln", "flink", "build", "--upgrade-mode", "")).containsExactly("stateless", "savepoint", "last-state");
        assertThat(complete("bash", "kiln", "pull", "--platform", "linux/arm")).contains("linux/arm64", "linux/arm/v7");
        assertThat(complete("bash", "kiln", "completion", "")).containsExactly("bash", "zsh");
    }

    /** zsh itself narrows the candidates down to the typed prefix (bashcompinit's compgen leaves that to it), so words here are empty. */
    @Test
    void zshCompletesThroughBashcompinit() throws Exception {
        assertThat(complete("zsh", "kiln", "")).contains("build", "flink", "pull", "login", "logout", "completion");
        assertThat(complete("zsh", "kiln", "flink", "")).containsExactly("build");
        assertThat(complete("zsh", "kiln", "inspect", "--policy", ""))
                .containsExactly("if-not-present", "always", "never", "revalidate", "stale-while-revalidate");
        assertThat(complete("zsh", "kiln", "build", "--compression", "")).containsExactly("gzip", "zstd");
    }

    @Test
    void everyCommandCanBeCompleted() throws Exception {
        List<String> commands = complete("bash", "kiln", "");
        assertThat(commands).containsExactlyInAnyOrderElementsOf(
                new picocli.CommandLine(new KilnCommand()).getSubcommands().keySet());
    }

    @Test
    void anUnknownShellIsAUsageError() {
        Cli.Result fish = Cli.run("completion", "fish");
        assertThat(fish.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(fish.errorLines()).singleElement().asString().contains("fish");
    }
}
