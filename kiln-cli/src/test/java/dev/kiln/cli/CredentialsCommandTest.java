package dev.kiln.cli;

import dev.kiln.error.AuthenticationException;
import dev.kiln.error.ImageNotFoundException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryUnreachableException;
import dev.kiln.image.Platform;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials never leave their place: every output of every command (human, {@code --json}, the step
 * log, error lines) and every file Kiln writes is searched for the secret, in clear and in Basic's
 * base64. And Bearer tokens are asked with the least scope: pull for the base, pull and push for the target.
 */
class CredentialsCommandTest {
    @TempDir
    Path cache;

    @Test
    void theSecretAppearsInNoOutputAndNoFile() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed base = new TestImages(registry, 41).push("secret/base:1", Platform.parse("linux/amd64"), 20_000);
            String secret = registry.password();
            String basic = Base64.getEncoder().encodeToString((registry.username() + ":" + secret).getBytes(StandardCharsets.UTF_8));
            Path right = credentialsConfig("right.yaml", registry.username(), secret);
            Path wrong = credentialsConfig("wrong.yaml", registry.username(), secret + "-wrong");
            Path job = Files.writeString(cache.resolve("job.txt"), "job\n");
            List<Cli.Result> runs = new ArrayList<>();
            runs.add(Cli.run(cache, "pull", base.ref(), "--config", wrong.toString()));
            runs.add(Cli.run(cache, "pull", base.ref(), "--config", wrong.toString(), "--json"));
            runs.add(Cli.run(cache, "pull", base.ref(), "--config", right.toString(), "--json"));
            runs.add(Cli.run(cache, "build", "--from", base.ref(), "--add", job + ":/job.txt", "--to",
                    registry.hostPort() + "/secret/app:1", "--config", right.toString()));
            runs.add(Cli.run(cache, "inspect", registry.hostPort() + "/secret/app:1", "--config", right.toString(), "--json"));
            runs.add(Cli.run(cache, "config", "show", "--config", right.toString()));
            runs.add(Cli.run(cache, "config", "show", "--config", right.toString(), "--json"));
            runs.add(Cli.run(cache, "outdated", "--config", right.toString(), "--json"));
            assertThat(runs.get(0).exitCode()).as(runs.get(0).toString()).isEqualTo(KilnCommand.FAILURE);
            assertThat(runs.get(0).errorLines()).singleElement().asString().contains("rejected the credentials of 'kiln'");
            assertThat(runs.get(3).exitCode()).as(runs.get(3).toString()).isZero();
            for (Cli.Result run : runs) {
                assertThat(run.out() + run.err()).as(run.toString()).doesNotContain(secret).doesNotContain(basic);
            }
            for (Path file : Cli.allFiles(cache)) {
                if (file.getFileName().toString().endsWith(".yaml")) {
                    continue;   // the configuration files the test wrote
                }
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as("file %s", file).doesNotContain(secret).doesNotContain(basic);
            }
        }
    }

    @Test
    void bearerTokensAreScopedToPullForTheBaseAndPushForTheTarget() throws Exception {
        try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
            TestImages.Pushed base = new TestImages(registry, 42).push("scoped/base:1", Platform.parse("linux/amd64"), 20_000);
            Path config = credentialsConfig("token.yaml", registry.username(), registry.password());
            Path job = Files.writeString(cache.resolve("job.txt"), "job\n");
            int before = registry.tokenServer().requestedScopes().size();
            Cli.ok(cache, "build", "--from", base.ref(), "--add", job + ":/job.txt", "--to", registry.hostPort() + "/scoped/app:1",
                    "--config", config.toString());
            List<String> scopes = registry.tokenServer().requestedScopes();
            assertThat(scopes.subList(before, scopes.size()))
                    .contains("repository:scoped/base:pull", "repository:scoped/app:pull,push")
                    .allMatch(scope -> scope.equals("repository:scoped/base:pull") || scope.startsWith("repository:scoped/app:")
                            || scope.equals("repository:scoped/app:pull,push,repository:scoped/base:pull"))
                    .noneMatch(scope -> scope.contains("scoped/base:pull,push") || scope.contains("*"));
        }
    }

    @Test
    void refusedCredentialsGetTheCommandLinesHintWhileTheErrorItselfGivesNoShellAdvice() throws Exception {
        try (RegistryFixture registry = RegistryFixture.basicAuth()) {
            TestImages.Pushed base = new TestImages(registry, 43).push("secret/hint:1", Platform.parse("linux/amd64"), 10_000);
            Path wrong = credentialsConfig("wrong.yaml", registry.username(), registry.password() + "-wrong");

            Cli.Result run = Cli.run(cache, "pull", base.ref(), "--config", wrong.toString());

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(KilnCommand.FAILURE);
            assertThat(run.errorLines()).singleElement().asString().contains(registry.hostPort()).contains("(401)")
                    .doesNotContain("docker login");
            assertThat(run.errLines()).filteredOn(line -> line.startsWith("kiln: hint: ")).singleElement().asString()
                    .contains("kiln login " + registry.hostPort()).contains("config.yaml");
        }
    }

    @Test
    void onlyAuthenticationFailuresGetTheCredentialsHint() {
        assertThat(KilnCommand.hint(new AuthenticationException("refused", "ghcr.io", 401, "UNAUTHORIZED", null)))
                .hasValueSatisfying(hint -> assertThat(hint).contains("kiln login ghcr.io").contains("config.yaml"));
        assertThat(KilnCommand.hint(new AuthenticationException("denied", "ghcr.io", 403, "DENIED", null))).isPresent();
        assertThat(KilnCommand.hint(new ImageNotFoundException("gone", "ghcr.io", 404, "MANIFEST_UNKNOWN", null))).isEmpty();
        assertThat(KilnCommand.hint(new RegistryUnreachableException("down", "ghcr.io", 0, null, null))).isEmpty();
        assertThat(KilnCommand.hint(new KilnException("other"))).isEmpty();
    }

    /** A config.yaml giving {@code username} and {@code password} for every loopback registry. */
    private Path credentialsConfig(String file, String username, String password) throws java.io.IOException {
        return Files.writeString(cache.resolve(file), """
                registries: { "127.0.0.1:*": { credentials: { username: %s, password: "%s" } } }
                """.formatted(username, password));
    }
}
