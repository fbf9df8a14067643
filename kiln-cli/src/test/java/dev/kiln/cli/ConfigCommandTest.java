package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kiln config show} and {@code --config}: the effective configuration, secrets redacted, errors with positions. */
class ConfigCommandTest {
    private static final String SECRET = "hunter2-Config-Secret";

    @TempDir
    Path cache;

    @Test
    void showPrintsTheEffectiveConfigurationWithSecretsRedacted() throws IOException {
        Files.writeString(cache.resolve("config.yaml"), """
                store: { maxSize: 50GB }
                registries:
                  "docker.io":
                    policy: revalidate
                    maxAge: 1h
                    mirrors: [ { url: "http://127.0.0.1:5010", resolve: true } ]
                    credentials: { username: ci, password: "%s" }
                """.formatted(SECRET));
        Cli.Result yaml = Cli.run(cache, "config", "show");
        assertThat(yaml.exitCode()).as(yaml.toString()).isZero();
        assertThat(yaml.out()).contains("# effective configuration, from: " + cache.resolve("config.yaml"))
                .contains("maxSize: 50GB").contains("policy: revalidate").contains("url: http://127.0.0.1:5010")
                .contains("password: <redacted>").doesNotContain(SECRET);

        Cli.Result json = Cli.run(cache, "config", "show", "--json");
        JsonNode tree = json.json();
        assertThat(tree.at("/registries/docker.io/credentials/password").asText()).isEqualTo("<redacted>");
        assertThat(tree.at("/sources/0").asText()).isEqualTo(cache.resolve("config.yaml").toString());
        assertThat(json.out() + json.err()).doesNotContain(SECRET);
    }

    @Test
    void anExplicitConfigFileWinsAndItsErrorsNameFileLineAndKey() throws IOException {
        Path file = cache.resolve("broken.yaml");
        Files.writeString(file, "registries:\n  \"*\":\n    policy: sometimes\n");
        Cli.Result result = Cli.run(cache, "pull", "--config", file.toString(), "flink:1.18");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(KilnCommand.USAGE);
        assertThat(result.errorLines()).singleElement().asString()
                .isEqualTo("kiln: error: " + file + ":3:13: registries.\"*\".policy: unknown pull policy 'sometimes': "
                        + "expected one of if-not-present, always, never, revalidate, stale-while-revalidate");

        Cli.Result missing = Cli.run(cache, "config", "show", "--config", cache.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(KilnCommand.USAGE);
        assertThat(missing.errorLines()).singleElement().asString().contains("nope.yaml does not exist");
    }

    @Test
    void aConfiguredPolicyAppliesUnlessTheCommandGivesOne() throws IOException {
        Files.writeString(cache.resolve("config.yaml"), "registries: { \"*\": { policy: never } }\n");
        Cli.Result never = Cli.run(cache, "pull", "127.0.0.1:9/nothing/here:1");
        assertThat(never.exitCode()).isEqualTo(KilnCommand.FAILURE);
        assertThat(never.errorLines()).singleElement().asString().contains("not in the local store").contains("never");
        Cli.Result explicit = Cli.run(cache, "pull", "--policy", "always", "127.0.0.1:9/nothing/here:1");
        assertThat(explicit.errorLines()).singleElement().asString().as("the flag wins: the registry is asked")
                .contains("127.0.0.1:9");
        assertThat(explicit.err()).doesNotContain("not in the local store");
    }
}
