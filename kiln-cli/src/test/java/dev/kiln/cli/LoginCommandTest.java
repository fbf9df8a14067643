package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Platform;
import dev.kiln.testing.FileCredentialHelper;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kiln login} and {@code kiln logout} against real registries (htpasswd Basic, and Bearer tokens from a
 * token server) and a real credential-helper program, run as the user runs them: a JVM of their own with the
 * password piped to {@code --password-stdin}.
 */
class LoginCommandTest {
    @TempDir
    Path dir;

    /** One {@code kiln} process: the arguments, {@code stdin} piped in, {@code pathPrefix} (if any) before the PATH. */
    private Cli.Result kiln(String stdin, Path pathPrefix, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--cache-dir", dir.resolve("cache").toString()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("HOME", dir.resolve("home").toString());
        if (pathPrefix != null) {
            builder.environment().put("PATH", pathPrefix + ":" + System.getenv("PATH"));
        }
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        int exit = process.waitFor();
        return new Cli.Result(exit, Files.readString(out), Files.readString(err));
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void loginToAnHtpasswdRegistryKeepsTheCredentialForPullsAndLogoutRemovesIt() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed image = new TestImages(registry, 71).push("private/base:1", Platform.parse("linux/amd64"), 10_000);
            Path config = dir.resolve("docker/config.json");

            Cli.Result login = kiln(registry.password() + "\n", null, "login", registry.hostPort(), "-u", registry.username(),
                    "--password-stdin", "--docker-config", config.toString());

            assertThat(login.exitCode()).as(login.toString()).isZero();
            assertThat(login.out()).isEqualTo("logged in to " + registry.hostPort() + " as kiln (credentials kept in " + config + ")\n");
            assertThat(login.out() + login.err()).doesNotContain(registry.password()).doesNotContain(basic("kiln", registry.password()));
            JsonNode written = Cli.JSON.readTree(config.toFile());
            assertThat(written.at("/auths/" + registry.hostPort() + "/auth").asText()).as("the password without its newline")
                    .isEqualTo(basic("kiln", registry.password()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent()))).isEqualTo("rwx------");
            Path cache = dir.resolve("cache");
            Cli.Result pull = Cli.run("pull", image.ref(), "--docker-config", config.toString(), "--cache-dir", cache.toString());
            assertThat(pull.exitCode()).as(pull.toString()).isZero();

            Cli.Result logout = Cli.run("logout", registry.hostPort(), "--docker-config", config.toString(), "--json");

            assertThat(logout.exitCode()).as(logout.toString()).isZero();
            assertThat(logout.json().get("removed").asBoolean()).isTrue();
            assertThat(Cli.JSON.readTree(config.toFile()).get("auths").size()).isZero();
            Cli.Result refused = Cli.run("inspect", image.ref(), "--policy", "always", "--docker-config", config.toString(),
                    "--cache-dir", cache.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(KilnCommand.FAILURE);
            assertThat(refused.errorLines()).singleElement().asString().contains("requires authentication");
            assertThat(Cli.run("logout", registry.hostPort(), "--docker-config", config.toString()).out())
                    .isEqualTo("no credentials were kept for " + registry.hostPort() + "\n");
        }
    }

    @Test
    void aWrongPasswordIsAnErrorAndNothingIsStored() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            String before = "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + basic("other", "other-secret") + "\"}}}";
            Path config = Files.writeString(dir.resolve("config.json"), before);

            Cli.Result login = kiln("not-the-password\n", null, "login", registry.hostPort(), "-u", "kiln", "--password-stdin",
                    "--docker-config", config.toString());

            assertThat(login.exitCode()).as(login.toString()).isEqualTo(KilnCommand.FAILURE);
            assertThat(login.errorLines()).singleElement().asString()
                    .isEqualTo("kiln: error: registry " + registry.hostPort() + " rejected the credentials of 'kiln' for GET /v2/ (401)");
            assertThat(login.errLines()).as("no hint to log in, from login").noneMatch(line -> line.startsWith("kiln: hint:"));
            assertThat(login.out() + login.err()).doesNotContain("not-the-password");
            assertThat(Files.readString(config)).isEqualTo(before);
        }
    }

    @Test
    void loginToATokenAuthRegistryChecksTheCredentialAtItsTokenServer() throws Exception {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            Path config = dir.resolve("config.json");
            int tokensBefore = registry.tokenServer().tokenRequests();

            Cli.Result wrong = kiln("wrong\r\n", null, "login", registry.hostPort(), "-u", "kiln", "--password-stdin",
                    "--docker-config", config.toString());

            assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(KilnCommand.FAILURE);
            assertThat(wrong.errorLines()).singleElement().asString()
                    .contains("token server of " + registry.hostPort() + " rejected the credentials of 'kiln' (401)");
            assertThat(config).doesNotExist();

            Cli.Result right = kiln(registry.password() + "\r\n", null, "login", registry.hostPort(), "-u", "kiln",
                    "--password-stdin", "--docker-config", config.toString(), "--json");

            assertThat(right.exitCode()).as(right.toString()).isZero();
            assertThat(right.json().get("storedIn").asText()).isEqualTo(config.toString());
            assertThat(registry.tokenServer().tokenRequests()).as("each login asked the token server").isEqualTo(tokensBefore + 2);
            assertThat(Cli.JSON.readTree(config.toFile()).at("/auths/" + registry.hostPort() + "/auth").asText())
                    .isEqualTo(basic("kiln", registry.password()));
        }
    }

    @Test
    void aConfiguredCredentialHelperKeepsTheLoginAndLogoutErasesIt() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed image = new TestImages(registry, 72).push("private/helped:1", Platform.parse("linux/amd64"), 10_000);
            Path bin = dir.resolve("bin");
            FileCredentialHelper helper = FileCredentialHelper.install(bin, "kilntest");
            String before = "{\"credsStore\":\"kilntest\"}";
            Path config = Files.writeString(dir.resolve("config.json"), before);

            Cli.Result login = kiln(registry.password() + "\n", bin, "login", registry.hostPort(), "-u", "kiln", "--password-stdin",
                    "--docker-config", config.toString());

            assertThat(login.exitCode()).as(login.toString()).isZero();
            assertThat(login.out()).contains("credentials kept in docker-credential-kilntest");
            assertThat(Files.readString(config)).as("the file is left as it was").isEqualTo(before);
            JsonNode stored = Cli.JSON.readTree(helper.stored(registry.hostPort()));
            assertThat(stored.get("ServerURL").asText()).isEqualTo(registry.hostPort());
            assertThat(stored.get("Username").asText()).isEqualTo("kiln");
            assertThat(stored.get("Secret").asText()).isEqualTo(registry.password());
            Cli.Result pull = kiln("", bin, "pull", image.ref(), "--docker-config", config.toString());
            assertThat(pull.exitCode()).as("a pull gets the credential from the helper: " + pull).isZero();

            Cli.Result logout = kiln("", bin, "logout", registry.hostPort(), "--docker-config", config.toString());

            assertThat(logout.exitCode()).as(logout.toString()).isZero();
            assertThat(helper.stored(registry.hostPort())).isNull();
            List<String> calls = helper.calls();
            assertThat(calls).first().isEqualTo("store " + registry.hostPort());
            assertThat(calls).last().isEqualTo("erase " + registry.hostPort());
            assertThat(calls.subList(1, calls.size() - 1)).as("the pull's").isNotEmpty().containsOnly("get " + registry.hostPort());
        }
    }

    /**
     * On a terminal (a pseudo-terminal from util-linux {@code script}), the user name and password are asked for;
     * each answer is typed only once its prompt is shown, as a person would, so the terminal would echo the
     * password if kiln did not turn echo off.
     */
    @Test
    void onATerminalTheUserNameAndPasswordAreAskedAndThePasswordIsNotEchoed() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            Path config = dir.resolve("config.json");
            String kiln = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "login", registry.hostPort(),
                    "--docker-config", config.toString(), "--cache-dir", dir.resolve("cache").toString());
            Process terminal = new ProcessBuilder("script", "--quiet", "--return", "--command", kiln, "/dev/null")
                    .redirectErrorStream(true).start();
            StringBuilder seen = new StringBuilder();
            try (OutputStream keyboard = terminal.getOutputStream(); var screen = terminal.getInputStream()) {
                readUntil(screen, seen, "Username: ");
                keyboard.write("kiln\n".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
                readUntil(screen, seen, "Password: ");
                keyboard.write((registry.password() + "\n").getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
                seen.append(new String(screen.readAllBytes(), StandardCharsets.UTF_8));
            }

            assertThat(terminal.waitFor()).as(seen.toString()).isZero();
            assertThat(seen.toString()).contains("logged in to " + registry.hostPort() + " as kiln").doesNotContain(registry.password());
            assertThat(Cli.JSON.readTree(config.toFile()).at("/auths/" + registry.hostPort() + "/auth").asText())
                    .isEqualTo(basic("kiln", registry.password()));
        }
    }

    /** Reads the terminal's output into {@code seen} until it ends with {@code prompt}. */
    private static void readUntil(java.io.InputStream screen, StringBuilder seen, String prompt) throws IOException {
        while (!seen.toString().endsWith(prompt)) {
            int c = screen.read();
            assertThat(c).as("the terminal closed before showing '%s'; it showed: %s", prompt, seen).isNotNegative();
            seen.append((char) c);
        }
    }

    @Test
    void badInputIsAUsageErrorBeforeAnyRequest() {
        Path config = dir.resolve("config.json");
        Cli.Result noUser = Cli.run("login", "127.0.0.1:1", "--password-stdin", "--docker-config", config.toString());
        Cli.Result noTerminal = Cli.run("login", "127.0.0.1:1", "-u", "me", "--docker-config", config.toString());
        Cli.Result noRegistry = Cli.run("logout", "https:///v2/", "--docker-config", config.toString());

        assertThat(noUser.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(noUser.errorLines()).containsExactly("kiln: error: --password-stdin needs the user name: give -u USER");
        assertThat(noTerminal.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(noTerminal.errorLines()).containsExactly("kiln: error: no terminal to ask the password on: pipe it to --password-stdin");
        assertThat(noRegistry.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(noRegistry.errorLines()).singleElement().asString().startsWith("kiln: error: invalid registry 'https:///v2/'");
        assertThat(config).doesNotExist();
    }
}
