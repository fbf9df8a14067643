package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

/**
 * A Flink job's jar, checked before anything is built or sent: it exists, is a readable jar, and
 * may name its entry point ({@code Main-Class}, or Flink's own {@code program-class}).
 */
public record JobJar(Path path, String fileName, Optional<String> mainClass) {

    public static JobJar inspect(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(Files.exists(path) ? "job jar '" + path + "' is not a file"
                    : "job jar '" + path + "' does not exist");
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            if (jar.stream().findAny().isEmpty()) {
                throw new InvalidInputException("job jar '" + path + "' is an empty archive");
            }
            Manifest manifest = jar.getManifest();
            Optional<String> mainClass = Optional.empty();
            if (manifest != null) {
                Attributes main = manifest.getMainAttributes();
                mainClass = Optional.ofNullable(main.getValue("program-class"))
                        .or(() -> Optional.ofNullable(main.getValue(Attributes.Name.MAIN_CLASS)))
                        .map(String::strip).filter(s -> !s.isEmpty());
            }
            return new JobJar(path, path.getFileName().toString(), mainClass);
        } catch (ZipException | SecurityException e) {
            throw new InvalidInputException("job jar '" + path + "' is not a jar (" + e.getMessage() + ")");
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("job jar '" + path + "' does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read job jar '" + path + "': " + e.getMessage());
        }
    }
}
