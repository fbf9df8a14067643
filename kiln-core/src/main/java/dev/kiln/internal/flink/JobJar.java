package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    /** The zip end-of-central-directory record: its signature and its size without the trailing comment. */
    private static final int END_SIGNATURE = 0x06054b50;
    private static final int END_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;

    public static JobJar inspect(Path path) {
        requireFile(path, "job jar");
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

    /**
     * Checks that a library jar is a non-empty zip archive from its end record alone, the last bytes of
     * the file. Opening it as a {@link JarFile} reads its whole central directory (thousands of entries in
     * a connector jar); for a job's 70 libraries that was ~45 ms of every build, for a check whose purpose
     * is to catch a wrong file given as a jar. A library's manifest is never read, so nothing else is needed.
     */
    public static void requireJar(Path path) {
        requireFile(path, "jar");
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = file.size();
            int tailSize = (int) Math.min(size, END_SIZE + MAX_COMMENT);
            ByteBuffer tail = ByteBuffer.allocate(tailSize).order(ByteOrder.LITTLE_ENDIAN);
            while (tail.hasRemaining() && file.read(tail, size - tailSize + tail.position()) >= 0) {
                // a read may return fewer bytes than asked
            }
            // the record is the last thing in the file but for its comment, whose length it states
            for (int at = tailSize - END_SIZE; at >= 0; at--) {
                if (tail.getInt(at) == END_SIGNATURE && at + END_SIZE + Short.toUnsignedInt(tail.getShort(at + 20)) == tailSize) {
                    if (tail.getShort(at + 10) == 0) {   // 0xFFFF (Zip64) counts its entries elsewhere: more than 65534
                        throw new InvalidInputException("jar '" + path + "' is an empty archive");
                    }
                    return;
                }
            }
            throw new InvalidInputException("jar '" + path + "' is not a jar (no zip end record)");
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("jar '" + path + "' does not exist");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("cannot read jar '" + path + "': permission denied");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read jar '" + path + "': " + e.getMessage());
        }
    }

    private static void requireFile(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(what + " '" + path + "' " + (Files.exists(path) ? "is not a file" : "does not exist"));
        }
    }
}
