package dev.kiln.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Maven build of a sample project (under {@code src/test/projects}) with the packaged plugin: the {@code mvn}
 * on the PATH, the outer build's local repository (so the samples' dependencies are resolved once, where the build
 * resolves its own), into which the plugin and kiln-core are installed first, as {@code mvn install} would.
 */
final class MavenBuild {
    static final String VERSION = System.getProperty("kiln.it.version");
    private static final Path LOCAL_REPOSITORY = Path.of(System.getProperty("kiln.it.localRepository"));
    private static boolean installed;

    /** What a build printed and how it ended. */
    record Result(int exitCode, String output) {
        /** The lines Maven logged at ERROR level, without the level. */
        List<String> errorLines() {
            return output.lines().filter(l -> l.startsWith("[ERROR] ")).map(l -> l.substring("[ERROR] ".length())).toList();
        }
    }

    private MavenBuild() {
    }

    /** Copies the sample project {@code name} to {@code dir}, to build it there. */
    static Path sample(String name, Path dir) throws IOException {
        Path source = Path.of("src/test/projects", name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = dir.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** Runs {@code mvn -B ARGS} in {@code project}; the plugin's version is {@code kiln.plugin.version}. */
    static Result run(Path project, String... args) {
        install();
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-Dmaven.repo.local=" + LOCAL_REPOSITORY,
                "-Dkiln.plugin.version=" + VERSION, "-Dmaven.test.skip=true"));
        command.addAll(Arrays.asList(args));
        try {
            Path log = Files.createTempFile("mvn-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // a short-lived Maven starts faster with the client compiler alone; the samples have no tests to compile or run
            builder.environment().put("MAVEN_OPTS", "-XX:TieredStopAtLevel=1");
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("mvn did not finish in 5 minutes: " + command);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@link #run}, which must succeed. */
    static Result ok(Path project, String... args) {
        Result result = run(project, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("mvn " + String.join(" ", args) + " failed (" + result.exitCode() + "):\n" + result.output());
        }
        return result;
    }

    /**
     * Puts kiln-parent, kiln-core and this plugin into the local repository, as {@code mvn install} would: a
     * {@code mvn verify} of the reactor has built them but installed nothing.
     */
    private static synchronized void install() {
        if (installed) {
            return;
        }
        Path module = Path.of("").toAbsolutePath();
        Path root = module.getParent();
        try {
            put("kiln-parent", root.resolve("pom.xml"), null);
            put("kiln-core", root.resolve("kiln-core/pom.xml"), root.resolve("kiln-core/target/kiln-core-" + VERSION + ".jar"));
            put("kiln-maven-plugin", module.resolve("pom.xml"), Path.of(System.getProperty("kiln.it.pluginJar")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        installed = true;
    }

    private static void put(String artifactId, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(LOCAL_REPOSITORY.resolve("dev/kiln").resolve(artifactId).resolve(VERSION));
        Files.copy(pom, dir.resolve(artifactId + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            if (!Files.isRegularFile(jar)) {
                throw new AssertionError(jar + " is not built: run the integration tests with mvn verify");
            }
            Files.copy(jar, dir.resolve(artifactId + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
