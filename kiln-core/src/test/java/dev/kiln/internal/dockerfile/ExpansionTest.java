package dev.kiln.internal.dockerfile;

import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.store.BaseFiles;
import dev.kiln.testing.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Quoting, substitution and field splitting as dash (Debian's /bin/sh) does them: each word list against dash itself. */
class ExpansionTest {
    private static final Map<String, String> ENV = Map.of("A", "x y", "B", "", "C", "a*b", "D", "  lead  trail  ", "E", "it's \"q\"");
    private static final List<String> WORDS = List.of(
            "plain 'single quoted' \"double quoted\"", "$A \"$A\" '$A'", "${A}z \"${A}z\" x$B'' \"\"", "$B", "\"$B\"", "''",
            "${B:-dflt} ${B-unset} ${NONE-unset} ${NONE:+alt} ${A:+alt} ${A+set}", "\"${B:-two words}\" ${B:-two words}",
            "$D \"$D\"", "a\\ b \\$A \"\\$A\" \"a\\\\b\" \"a\\b\"", "$E \"$E\"", "pre${A}post", "$C \"$C\"", "x\"y\"'z'\\w",
            "\"${NONE:-$A}\" ${NONE:-$A}", "$ \"$\" a$", "'a'\"b\"c$A", "\"it's\" 'say \"hi\"'");

    @TempDir
    Path empty;

    @Test
    void wordsExpandAsDashExpandsThem() {
        ImageTree tree = new ImageTree(BaseFiles.NONE, empty);
        for (String words : WORDS) {
            List<String> command = new ArrayList<>(List.of("env", "-i"));
            ENV.forEach((k, v) -> command.add(k + "=" + v));
            command.addAll(List.of("dash", "-c", "cd " + empty + " && printf '[%s]\\n' " + words));
            List<String> dash = Commands.run(command.toArray(String[]::new)).lines().toList();

            ShellScript.Command parsed = ShellScript.parse("printf x " + words, InvalidInputException::new).get(0);
            List<String> kiln = new Expansion(ENV::get, tree, "").arguments(parsed.words().subList(2, parsed.words().size()))
                    .stream().map(w -> "[" + w + "]").toList();
            // printf with no argument prints its format once: [] stands for no word at all
            assertThat(kiln.isEmpty() ? List.of("[]") : kiln).as("the words of: %s", words).isEqualTo(dash);
        }
    }

    @Test
    void globsMatchAsDashMatchesThem() throws java.io.IOException {
        for (String file : List.of("a.jar", "b.jar", "c.txt", ".hidden", "lib/f1.jar", "lib/f2.txt", "lib/sub/x.txt", "log/f.txt", "x y.txt",
                "[ab].txt")) {
            Path path = empty.resolve("tree").resolve(file);
            java.nio.file.Files.createDirectories(path.getParent());
            java.nio.file.Files.writeString(path, file);
        }
        java.nio.file.Files.createDirectories(empty.resolve("tree/emptydir"));
        java.nio.file.Files.createSymbolicLink(empty.resolve("tree/link"), Path.of("lib"));
        ImageTree tree = new ImageTree(BaseFiles.NONE, empty.resolve("scratch"));
        tree.apply(new dev.kiln.internal.layer.LayerSource(empty.resolve("tree"), "/"));
        for (String words : List.of("*", ".*", "*.jar", "lib/*", "*/*.txt", "[ab]*", "[!a]*", "?.jar", "l*/f*", "nomatch*", "\\*", "\"*\"",
                "*/", "l*/", "link/*", "x*", "[[]ab]*", "*.{jar,txt}", "lib/sub/*", "*dir", "'l'*")) {
            List<String> dash = Commands.run("sh", "-c", "cd " + empty.resolve("tree") + " && exec dash -c \"printf '[%s]\\n' $0\"", words)
                    .lines().toList();
            ShellScript.Command parsed = ShellScript.parse("printf x " + words, InvalidInputException::new).get(0);
            List<String> kiln = new Expansion(ENV::get, tree, "").arguments(parsed.words().subList(2, parsed.words().size()))
                    .stream().map(w -> "[" + w + "]").toList();
            assertThat(kiln).as("the pattern %s", words).isEqualTo(dash);
        }
    }
}
