package dev.kiln.internal.dockerfile;

import dev.kiln.testing.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Modes} against GNU chmod itself (umask 022), on files and directories from several starting modes. */
class ModesTest {
    private static final List<String> SPECS = List.of("755", "0644", "4755", "2775", "1777", "00755", "7", "+x", "-x", "u+x", "go-w",
            "a=rX", "u=rwX,go=rX", "+t", "o+t", "u+s", "g+s", "g=u", "o=g", "=r", "+w", "a+w", "ug+rw,o-rwx", "u-s,g-s", "+X", "a-x",
            "u=", "go=", "=", "u+rwx,g+rx-w,o=");
    private static final List<Integer> STARTS = List.of(0644, 0755, 0600, 04755, 02775, 0700, 0);

    @TempDir
    Path tmp;

    @Test
    void everyModeAsGnuChmodGivesIt() throws IOException {
        for (int start : STARTS) {
            for (String spec : SPECS) {
                for (boolean directory : List.of(false, true)) {
                    Path path = tmp.resolve("p");
                    Commands.run("rm", "-rf", path.toString());
                    if (directory) {
                        Files.createDirectory(path);
                    } else {
                        Files.createFile(path);
                    }
                    String octal = Integer.toOctalString(start);
                    // GNU chmod keeps a directory's setuid/setgid on a short octal mode: clear them first with five digits
                    Commands.run("chmod", "0" + "0000".substring(Math.min(4, octal.length())) + octal, path.toString());
                    Commands.run("sh", "-c", "umask 022 && chmod -- \"$0\" \"$1\"", spec, path.toString());
                    int gnu = Integer.parseInt(Commands.run("stat", "-c", "%a", path.toString()).strip(), 8);
                    assertThat(Modes.apply(spec, start, directory, 022))
                            .as("chmod %s on a %s of mode %s", spec, directory ? "directory" : "file", octal).isEqualTo(gnu);
                }
            }
        }
    }
}
