package dev.kiln.cli;

import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes (0 ok, 1 failure, 2 usage) and one-line error messages. */
class ExitCodesTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(0);

    @TempDir
    Path cache;

    @ParameterizedTest
    @ValueSource(strings = {"Flink:1", " flink", "flink ", "flink:-bad", "", "127.0.0.1:5000/App:1"})
    void malformedReferenceIsAUsageErrorWithOneLine(String reference) {
        Cli.Result result = Cli.run(cache, "pull", reference);
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).as("%s", result).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("kiln: error: invalid reference");
        assertThat(result.err()).doesNotContain("Exception");

        Cli.Result inspect = Cli.run(cache, "inspect", reference, "--json");
        assertThat(inspect.exitCode()).as("%s", inspect).isEqualTo(2);
        assertThat(inspect.errLines()).as("%s", inspect).hasSize(1);
        assertThat(inspect.out()).isEmpty();
    }

    @Test
    void aDockerConfigThatDoesNotExistIsAUsageErrorNamingIt() {
        Path missing = cache.resolve("nope.json");
        Cli.Result result = Cli.run("pull", REGISTRY.registry().hostPort() + "/x/y:1", "--cache-dir", cache.toString(), "--docker-config", missing.toString());
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.errLines()).containsExactly("kiln: error: --docker-config " + missing + " does not exist");
        assertThat(REGISTRY.registry().requests()).as("no request before the check").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ls", "verify", "prune", "rm"})
    void storeCommandsOnADirectoryWithoutAStoreSaySoAndCreateNothing(String command) {
        Path typo = cache.resolve("typo");
        Cli.Result result = command.equals("rm") ? Cli.run(typo, "cache", command, "flink:1") : Cli.run(typo, "cache", command);
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.errLines()).containsExactly("kiln: error: no Kiln store at " + typo.resolve("store")
                + ": nothing was ever pulled or built with this cache directory");
        assertThat(typo).doesNotExist();
    }

    @Test
    void aCacheDirectoryThatCannotBeCreatedNamesTheCause() throws IOException {
        Path file = java.nio.file.Files.writeString(cache.resolve("a-file"), "x");
        Cli.Result result = Cli.run(file.resolve("cache"), "pull", REGISTRY.registry().hostPort() + "/x/y:1");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.errLines()).singleElement().asString().endsWith(": not a directory");
    }

    @Test
    void malformedReferenceMessageSaysWhatIsWrong() {
        assertThat(Cli.run(cache, "pull", "Flink:1").err()).contains("'Flink:1'").contains("lowercase");
        assertThat(Cli.run(cache, "pull", " flink").err()).contains("whitespace");
    }

    @Test
    void unknownPlatformIsAUsageError() {
        Cli.Result result = Cli.run(cache, "pull", REGISTRY.registry().hostPort() + "/x/y:1", "--platform", "foo/bar");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.errLines()).as("%s", result).hasSize(1);
        assertThat(result.errLines().get(0)).startsWith("kiln: error: ").contains("foo/bar");

        Cli.Result malformed = Cli.run(cache, "pull", REGISTRY.registry().hostPort() + "/x/y:1", "--platform", "linux");
        assertThat(malformed.exitCode()).as("%s", malformed).isEqualTo(2);
        assertThat(malformed.errLines()).hasSize(1);
        assertThat(malformed.errLines().get(0)).contains("os/arch");
    }

    @Test
    void unknownPolicyIsAUsageError() {
        Cli.Result result = Cli.run(cache, "pull", REGISTRY.registry().hostPort() + "/x/y:1", "--policy", "sometimes");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.errLines().get(0)).contains("sometimes").contains("if-not-present");
    }

    @Test
    void unknownOptionIsAUsageErrorWithTheErrorAndWhereToReadMore() {
        Cli.Result result = Cli.run(cache, "pull", "flink:1", "--frobnicate");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).containsExactly("kiln: error: Unknown option: '--frobnicate'", "see 'kiln pull --help'");

        Cli.Result top = Cli.run("--frobnicate");
        assertThat(top.exitCode()).as("%s", top).isEqualTo(2);
        assertThat(top.errLines()).containsExactly("kiln: error: Unknown option: '--frobnicate'", "see 'kiln --help'");

        Cli.Result missing = Cli.run(cache, "flink", "build");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(2);
        assertThat(missing.errLines()).as("at most five lines, the error first").hasSizeLessThanOrEqualTo(5)
                .startsWith("kiln: error: Missing required options: '--job-jar=JAR', '--to=TARGET'").endsWith("see 'kiln flink build --help'");

        Cli.Result missingParameter = Cli.run(cache, "pull");
        assertThat(missingParameter.exitCode()).as("%s", missingParameter).isEqualTo(2);
        assertThat(missingParameter.err()).contains("IMAGE");

        Cli.Result unknownCommand = Cli.run("frobnicate");
        assertThat(unknownCommand.exitCode()).as("%s", unknownCommand).isEqualTo(2);
    }

    @Test
    void imageNotInTheRegistryFailsWithNotFound() {
        String ref = REGISTRY.registry().hostPort() + "/cli/absent:1";
        long mark = REGISTRY.registry().mark();
        Cli.Result result = Cli.run(cache, "pull", ref, "--platform", "linux/amd64");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.errorLines().get(0)).contains("not found").contains(ref);
        assertThat(result.err()).doesNotContain("\tat ");
        assertThat(REGISTRY.registry().requestsSince(mark)).as("the 404 is not retried")
                .filteredOn(e -> e.path().endsWith("/manifests/1")).hasSize(1);

        Cli.Result inspect = Cli.run(cache, "inspect", ref, "--platform", "linux/amd64", "--json");
        assertThat(inspect.exitCode()).isEqualTo(1);
        assertThat(inspect.out()).isEmpty();
        assertThat(inspect.errorLines()).hasSize(1);
        assertThat(inspect.errorLines().get(0)).contains("not found");
        assertThat(Cli.blobFiles(cache)).isEmpty();
    }

    @Test
    void unreachableRegistryFailsNamingTheRegistry() {
        Cli.Result result = Cli.run(cache, "pull", "127.0.0.1:1/x:1", "--platform", "linux/amd64", "--json");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.errorLines()).as("%s", result).hasSize(1);
        assertThat(result.errorLines().get(0)).contains("127.0.0.1:1").contains("cannot reach");
        assertThat(result.err()).doesNotContain("\tat ");
    }

    @Test
    void versionPrintsKilnAndTheProjectVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = KilnCommand.class.getResourceAsStream("/kiln-version.properties")) {
            assertThat(in).as("kiln-version.properties on the class path").isNotNull();
            properties.load(in);
        }
        String version = properties.getProperty("version");
        assertThat(version).as("filtered by Maven").matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");

        Cli.Result result = Cli.run("--version");
        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.out()).startsWith("kiln " + version + " ");
        assertThat(result.out().strip()).matches("kiln \\d+\\.\\d+\\.\\d+\\S* \\(Java .+\\)");
        assertThat(result.err()).isEmpty();
        assertThat(Cli.run("-V").out()).isEqualTo(result.out());
    }

    @Test
    void helpExitsZeroAndListsTheCommands() {
        Cli.Result nested = Cli.run("help", "flink", "build");
        assertThat(nested.exitCode()).isZero();
        assertThat(nested.out()).startsWith("Usage: kiln flink build").contains("--job-jar");
        Cli.Result unknown = Cli.run("help", "flink", "bild");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.errLines().get(0)).isEqualTo("kiln: error: unknown command 'flink bild'; 'kiln flink' has: build");

        Cli.Result help = Cli.run("help");
        assertThat(help.exitCode()).as("%s", help).isZero();
        assertThat(help.out()).contains("Usage: kiln").contains("pull").contains("inspect").contains("cache");
        assertThat(help.err()).isEmpty();

        Cli.Result flag = Cli.run("--help");
        assertThat(flag.exitCode()).isZero();
        assertThat(flag.out()).contains("Usage: kiln");

        Cli.Result pullFlag = Cli.run("pull", "--help");
        assertThat(pullFlag.exitCode()).as("%s", pullFlag).isZero();
        assertThat(pullFlag.out()).contains("Usage: kiln pull");
        Cli.Result flinkFlag = Cli.run("flink", "build", "--help");
        assertThat(flinkFlag.exitCode()).as("%s", flinkFlag).isZero();
        assertThat(flinkFlag.out()).contains("Usage: kiln flink build").contains("--deployment-out");
        Cli.Result pullHelp = Cli.run("help", "pull");
        assertThat(pullHelp.exitCode()).isZero();
        assertThat(pullHelp.out()).contains("Usage: kiln pull").contains("--policy").contains("--cache-dir").contains("--json");

        Cli.Result cacheHelp = Cli.run("help", "cache");
        assertThat(cacheHelp.exitCode()).isZero();
        assertThat(cacheHelp.out()).contains("ls").contains("rm").contains("prune");
    }

    @Test
    void registryOptionsAppearOnlyOnCommandsThatTalkToRegistriesAndGlobalOnesEverywhere() {
        List<String> global = List.of("--json", "--cache-dir", "--config", "--quiet");
        List<String> registry = List.of("--mirror", "--digest-mirror", "--daemon", "--insecure-registry", "--ca-file", "--docker-config");
        for (String command : List.of("build", "flink build", "pull", "inspect", "cache refresh", "outdated", "rebase")) {
            String help = Cli.run(("help " + command).split(" ")).out();
            assertThat(help).as(command).contains(global).contains(registry);
        }
        for (String command : List.of("cache ls", "cache rm", "cache prune", "cache verify", "config show")) {
            String help = Cli.run(("help " + command).split(" ")).out();
            assertThat(help).as(command).contains(global);
            assertThat(registry).as(command).allSatisfy(option -> assertThat(help).doesNotContain(option));
            Cli.Result given = Cli.run(cache, (command + (command.equals("cache rm") ? " flink:1" : "") + " --daemon").split(" "));
            assertThat(given.exitCode()).as(command).isEqualTo(KilnCommand.USAGE);
            assertThat(given.errLines()).as(command).containsExactly("kiln: error: Unknown option: '--daemon'", "see 'kiln " + command + " --help'");
        }
        assertThat(Cli.run("help", "pull").out()).as("--max-age names both policies it applies to")
                .containsPattern("--max-age=DURATION\\s+With --policy revalidate or\\s+stale-while-revalidate");
    }

    @Test
    void commandWithoutSubcommandPrintsUsageInsteadOfAnInternalError() {
        Cli.Result bare = Cli.run();
        assertThat(bare.exitCode()).as("%s", bare).isEqualTo(2);
        assertThat(bare.err()).contains("Usage: kiln").doesNotContain("Exception").doesNotContain("Runnable");

        Cli.Result group = Cli.run("cache");
        assertThat(group.exitCode()).as("%s", group).isEqualTo(2);
        assertThat(group.err()).contains("Usage: kiln cache").doesNotContain("Exception").doesNotContain("Runnable");
    }
}
