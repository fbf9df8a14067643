package dev.kiln.config;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.PullPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configuration file: the example, strict errors with positions, environment overrides, redaction. */
class ConfigLoaderTest {
    private static final String EXAMPLE = """
            store: { dir: /var/lib/kiln, maxSize: 50GB }
            registries:
              "docker.io":                 # exact host, or a glob such as "*.example.com"
                policy: revalidate         # if-not-present | always | never | revalidate
                maxAge: 1h
                maxStale: 7d
                mirrors:
                  - { url: "http://127.0.0.1:5010", resolve: true }   # resolve: may turn tags into digests
                insecure: false
                caFile: /etc/kiln/ca.pem
            """;

    @TempDir
    Path tmp;

    private Path file(String yaml) throws IOException {
        Path file = tmp.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private KilnConfig load(String yaml) throws IOException {
        return ConfigLoader.load(file(yaml), Map.of());
    }

    private String error(String yaml) throws IOException {
        Path file = file(yaml);
        try {
            ConfigLoader.load(file, Map.of());
        } catch (InvalidInputException e) {
            assertThat(e.getMessage()).as("names the file").startsWith(file.toString());
            return e.getMessage().substring(file.toString().length());
        }
        throw new AssertionError("no error for:\n" + yaml);
    }

    @Test
    void readsTheDocumentedExample() throws IOException {
        KilnConfig config = load(EXAMPLE);
        assertThat(config.store()).isEqualTo(new KilnConfig.Store(Path.of("/var/lib/kiln"), 50_000_000_000L, null));
        KilnConfig.Registry hub = config.registries().get("docker.io");
        assertThat(hub.policy()).isEqualTo(PullPolicy.REVALIDATE);
        assertThat(hub.maxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(hub.maxStale()).isEqualTo(Duration.ofDays(7));
        assertThat(hub.mirrors()).containsExactly(new KilnConfig.Mirror("http://127.0.0.1:5010", true, null));
        assertThat(hub.insecure()).isFalse();
        assertThat(hub.caFile()).isEqualTo(Path.of("/etc/kiln/ca.pem"));
        assertThat(config.sources()).containsExactly(tmp.resolve("config.yaml").toString());
    }

    @Test
    void unknownKeysAreErrorsWithTheirPositionAndTheKnownKeys() throws IOException {
        String message = error("""
                registries:
                  "docker.io":
                    policy: always
                    maxAg: 1h
                """);
        assertThat(message).startsWith(":4:5: registries.\"docker.io\": unknown key 'maxAg'; expected one of ")
                .contains("maxAge").contains("mirrors");
        assertThat(error("stor: {dir: /x}\n")).startsWith(":1:1: unknown key 'stor'; expected one of daemon, registries, server, store");
    }

    @Test
    void badValuesAreErrorsWithTheirPosition() throws IOException {
        assertThat(error("""
                registries:
                  "*.example.com":
                    maxAge: soon
                """)).isEqualTo(":3:13: registries.\"*.example.com\".maxAge: invalid duration 'soon': expected e.g. 90s, 5m, 1h30m, 7d, 2w or PT1H");
        assertThat(error("registries: { a.io: { policy: sometimes } }\n"))
                .startsWith(":1:31: registries.\"a.io\".policy: unknown pull policy 'sometimes'");
        assertThat(error("store: { maxSize: lots }\n")).startsWith(":1:19: store.maxSize: invalid size 'lots'");
        assertThat(error("registries: { a.io: { mirrors: [ { resolve: true } ] } }\n"))
                .contains("registries.\"a.io\".mirrors[0]").contains("a mirror needs a url");
        assertThat(error("registries: { a.io: { insecure: maybe } }\n")).startsWith(":1:33: registries.\"a.io\".insecure: ");
        assertThat(error("registries: { \"bad host/x\": {} }\n")).contains("invalid registry pattern 'bad host/x'");
        assertThat(error("registries: { a.io: { credentials: { username: u } } }\n"))
                .contains("exactly one of password, passwordEnv, passwordFile");
        assertThat(error("store: { maxSize: 1GB, lowWatermark: 2GB }\n")).contains("lowWatermark needs a maxSize at least as large");
    }

    @Test
    void duplicateKeysAndBrokenYamlAreErrors() throws IOException {
        assertThat(error("store: {}\nstore: {}\n")).startsWith(":2:").contains("Duplicate field 'store'");
        assertThat(error("registries: [\n")).startsWith(":");
    }

    @Test
    void syntaxErrorsSayWhereAndWhatInPlainWords() throws IOException {
        assertThat(error("registries:\n\t\"*\":\n    policy: always\n"))
                .isEqualTo(":2:1: tabs are not allowed for indentation; indent with spaces");
        assertThat(error("registries:\n  \"*\":\n    policy: always\n   maxAge: 5m\n"))
                .isEqualTo(":4:4: inconsistent indentation: keys of one mapping must start in the same column");
        assertThat(error("store:\n  maxSize\n"))
                .isEqualTo(":2:3: store: 'maxSize' is a key without a value (write 'key: value', or nest keys under it)");
    }

    @Test
    void aMissingExplicitFileIsAnErrorButAMissingDefaultIsNot() {
        assertThatThrownBy(() -> ConfigLoader.discover(tmp.resolve("nope.yaml"), tmp, Map.of()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("nope.yaml does not exist");
        assertThatThrownBy(() -> ConfigLoader.discover(null, tmp, Map.of("KILN_CONFIG", tmp.resolve("env.yaml").toString())))
                .hasMessageContaining("env.yaml does not exist");
        assertThat(ConfigLoader.discover(null, tmp, Map.of())).isEqualTo(KilnConfig.EMPTY);
    }

    @Test
    void theCacheDirectorysConfigIsReadByDefault() throws IOException {
        file("registries: { \"*\": { policy: never } }\n");
        assertThat(ConfigLoader.discover(null, tmp, Map.of()).registries().get("*").policy()).isEqualTo(PullPolicy.NEVER);
    }

    @Test
    void theEnvironmentOverridesTheFileForEveryRegistry() throws IOException {
        Path file = file(EXAMPLE);
        KilnConfig config = ConfigLoader.load(file, Map.of("KILN_POLICY", "always", "KILN_MAX_STALE", "2d",
                "KILN_STORE_MAX_SIZE", "10GB", "KILN_CACHE_DIR", "/srv/kiln"));
        assertThat(config.registries().get("docker.io").policy()).isEqualTo(PullPolicy.ALWAYS);
        assertThat(config.registries().get("docker.io").maxStale()).isEqualTo(Duration.ofDays(2));
        assertThat(config.registries().get("docker.io").maxAge()).as("not overridden").isEqualTo(Duration.ofHours(1));
        assertThat(config.registries().get("*").policy()).as("registries the file does not name too").isEqualTo(PullPolicy.ALWAYS);
        assertThat(config.store()).isEqualTo(new KilnConfig.Store(Path.of("/srv/kiln"), 10_000_000_000L, null));
        assertThat(config.sources()).containsExactly(file.toString(), "$KILN_CACHE_DIR", "$KILN_STORE_MAX_SIZE", "$KILN_POLICY",
                "$KILN_MAX_STALE");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("KILN_MAX_AGE", "often")))
                .hasMessageStartingWith("KILN_MAX_AGE: invalid duration 'often'");
    }

    @Test
    void showingRedactsSecretsAndReadsBackTheSame() throws IOException {
        KilnConfig config = load("""
                store: { maxSize: 2GiB, lowWatermark: 1GB }
                registries:
                  "registry.corp:5000":
                    credentials: { username: ci, password: "s3cr3t-Pa55" }
                    staleIfError: true
                    mirrors: [ { url: "mirror.corp", timeout: 1500ms } ]
                  "*.example.com":
                    credentials: { helper: ecr-login }
                daemon: { enabled: true, host: "unix:///run/podman/podman.sock" }
                """);
        String shown = config.toYaml();
        assertThat(shown).doesNotContain("s3cr3t-Pa55").contains("password: <redacted>").contains("helper: ecr-login")
                .contains("timeout: 1s500ms").startsWith("# effective configuration, from: ");
        assertThat(config.redacted().toString()).doesNotContain("s3cr3t-Pa55");
        assertThat(config.registries().get("registry.corp:5000").credentials().toString()).doesNotContain("s3cr3t-Pa55");
        KilnConfig again = load(shown);
        assertThat(again.registries().keySet()).containsExactly("registry.corp:5000", "*.example.com");
        assertThat(again.registries().get("registry.corp:5000").mirrors())
                .containsExactly(new KilnConfig.Mirror("mirror.corp", false, Duration.ofMillis(1500)));
        assertThat(again.store()).isEqualTo(config.store());
        assertThat(again.daemon()).isEqualTo(config.daemon());
        assertThat(again.registries().get("registry.corp:5000").staleIfError()).isTrue();
    }

    @Test
    void readsTheServerSectionWithItsEnvironmentOverridesAndShowsItRedacted() throws IOException {
        String hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Path file = file("""
                server:
                  port: 8080
                  bind: 127.0.0.1
                  tokens:
                    - name: ci
                      sha256: %s
                      role: build
                  builds: {concurrency: 2, queue: 100}
                  uploads: {maxBytes: 2GiB}
                  history: {keepDays: 30, keepBuilds: 1000}
                  database: {url: "jdbc:postgresql://db:5432/kiln", user: kiln, passwordEnv: KILN_DB_PASSWORD}
                  schedule: {refresh: 6h, outdated: 1h, prune: 1d}
                  autoRebase: true
                  notify: {webhook: "https://hooks.example.com/kiln?key=s3cr3t"}
                """.formatted(hash));
        KilnConfig.Server server = ConfigLoader.load(file, Map.of()).server();
        assertThat(server.port()).isEqualTo(8080);
        assertThat(server.tokens()).containsExactly(new KilnConfig.Token("ci", hash, "build"));
        assertThat(server.builds()).isEqualTo(new KilnConfig.Builds(2, 100));
        assertThat(server.uploads().maxBytes()).isEqualTo(2L << 30);
        assertThat(server.history()).isEqualTo(new KilnConfig.History(30, 1000));
        assertThat(server.database().passwordEnv()).isEqualTo("KILN_DB_PASSWORD");
        assertThat(server.schedule().refresh()).isEqualTo(Duration.ofHours(6));
        assertThat(server.autoRebase()).isTrue();
        assertThat(server.notifications().webhook()).endsWith("key=s3cr3t");

        KilnConfig overridden = ConfigLoader.load(file, Map.of("KILN_SERVER_PORT", "9090", "KILN_SERVER_BUILDS_QUEUE", "5",
                "KILN_SERVER_DATABASE_URL", "jdbc:postgresql://other/kiln"));
        assertThat(overridden.server().port()).isEqualTo(9090);
        assertThat(overridden.server().builds()).isEqualTo(new KilnConfig.Builds(2, 5));
        assertThat(overridden.server().database().url()).isEqualTo("jdbc:postgresql://other/kiln");
        assertThat(overridden.server().tokens()).as("kept from the file").hasSize(1);
        assertThat(overridden.sources()).contains("$KILN_SERVER_PORT", "$KILN_SERVER_BUILDS_QUEUE", "$KILN_SERVER_DATABASE_URL");
        assertThat(ConfigLoader.load(file(""), Map.of("KILN_SERVER_BIND", "0.0.0.0")).server().bind()).isEqualTo("0.0.0.0");

        String shown = overridden.toYaml();
        assertThat(shown).contains("port: 9090").contains("name: ci").contains("role: build").contains("sha256: <redacted>")
                .doesNotContain(hash).doesNotContain("s3cr3t").contains("passwordEnv: KILN_DB_PASSWORD");
        assertThat(overridden.redacted().toString()).doesNotContain(hash).doesNotContain("s3cr3t");
        assertThat(error("server:\n  tokens:\n    - {name: ci, sha256: abc, role: build}\n")).contains("sha256 must be 64 lowercase hex digits");
        assertThat(error("server:\n  tokens:\n    - {name: ci, sha256: %s, role: root}\n".formatted(hash))).contains("role must be read, build or admin");
        assertThat(error("server:\n  prot: 80\n")).contains("unknown key 'prot'");
    }

    @Test
    void anEmptyFileIsTheDefaults() throws IOException {
        KilnConfig commentsOnly = load("# nothing yet\n");
        assertThat(commentsOnly.registries()).isEmpty();
        assertThat(commentsOnly.sources()).as("the file is still named as a source").containsExactly(tmp.resolve("config.yaml").toString());
        assertThat(load("").store()).isNull();
        assertThat(KilnConfig.EMPTY.toYaml()).isEqualTo("# effective configuration, from: built-in defaults\n{}\n");
    }
}
