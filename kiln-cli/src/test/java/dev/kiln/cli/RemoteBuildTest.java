package dev.kiln.cli;

import dev.kiln.config.KilnConfig;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerSettings;
import dev.kiln.testing.FlinkBase;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.TestKilns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --server}: builds from the CLI run on a kiln serve, with the CLI's own output, uploading each file once. */
class RemoteBuildTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(157);
    private static final String TOKEN = "remote-build-token-42";

    @TempDir
    Path tmp;

    private KilnServer server(Path cache, String role) throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        ServerSettings settings = ServerSettings.of(new KilnConfig.Server(0, null, List.of(new KilnConfig.Token("ci", hash, role)),
                null, null, null, null, null, null, null), cache);
        return KilnServer.builder(TestKilns.builder(cache).build(), settings).start();
    }

    private Path jar(String content) throws IOException {
        return Cli.jobJar(tmp.resolve("job-" + content + "/orders.jar"), content);
    }

    @Test
    void aFlinkBuildRunsOnTheServerWithTheLocalOutputAndEachFileIsUploadedOnce() throws Exception {
        FlinkBase base = REGISTRY.flinkBase();
        Path tokenFile = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        Path jar = jar("v1");
        Path deployment = tmp.resolve("orders.yaml");
        Path conf = Files.createDirectories(tmp.resolve("hadoop"));
        Files.writeString(conf.resolve("core-site.xml"), "<configuration/>\n");
        Path clientCache = tmp.resolve("client-cache");
        try (KilnServer server = server(tmp.resolve("server-cache"), "build")) {
            String url = "http://127.0.0.1:" + server.port();
            String[] args = {"flink", "build", "--base", base.ref(), "--job-jar", jar.toString(), "--hadoop-conf", conf.toString(),
                    "--to", REGISTRY.registry().hostPort() + "/jobs/remote:1", "--deployment-out", deployment.toString(),
                    "--server", url, "--token-file", tokenFile.toString()};
            Cli.Result first = Cli.run(clientCache, args);
            assertThat(first.exitCode()).as(first.toString()).isZero();
            assertThat(first.err()).as("the build's steps, as a local build shows them").contains("] build ").contains("] publish ");
            assertThat(first.out()).contains(REGISTRY.registry().hostPort() + "/jobs/remote:1@sha256:").contains("job local:///opt/flink/usrlib/orders.jar");
            String digest = first.out().substring(first.out().indexOf("@sha256:") + 1, first.out().indexOf("@sha256:") + 72);
            assertThat(Files.readString(deployment)).contains(digest).contains("kind: FlinkDeployment");
            assertThat(clientCache.resolve("store")).as("the client's own store is never opened").doesNotExist();

            Path held = tmp.resolve("server-cache/server/files");
            List<Object> uploaded = inodes(held);
            assertThat(uploaded).as("the jar and the Hadoop configuration's tar").hasSize(2);
            Cli.Result again = Cli.run(clientCache, args);
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(inodes(held)).as("nothing uploaded again (an upload replaces the file)").isEqualTo(uploaded);

            Cli.Result failed = Cli.run(clientCache, "flink", "build", "--base", REGISTRY.registry().hostPort() + "/no/such:1",
                    "--job-jar", jar.toString(), "--to", REGISTRY.registry().hostPort() + "/jobs/remote:2", "--server", url,
                    "--token-file", tokenFile.toString());
            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
            assertThat(failed.err()).contains("kiln: error: the build on " + url + "/ failed: ");

            Cli.Result noToken = Cli.run(clientCache, "build", "--from", base.ref(), "--add", jar + ":/app/", "--to",
                    REGISTRY.registry().hostPort() + "/apps/remote:1", "--server", url);
            assertThat(noToken.exitCode()).isEqualTo(1);
            assertThat(noToken.err()).contains("answered 401");
        }
    }

    @Test
    void anImageBuildWithADirectoryRunsOnTheServer() throws Exception {
        Path tokenFile = Files.writeString(tmp.resolve("token"), TOKEN);
        Path app = Files.createDirectories(tmp.resolve("app/bin"));
        Files.writeString(app.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        app.resolve("run.sh").toFile().setExecutable(true);
        try (KilnServer server = server(tmp.resolve("server-cache"), "admin")) {
            Cli.Result result = Cli.run(tmp.resolve("client-cache"), "build", "--from", REGISTRY.flinkBase().ref(), "--add",
                    tmp.resolve("app") + ":/opt/app/", "--env", "MODE=remote", "--to", REGISTRY.registry().hostPort() + "/apps/dir:1",
                    "--server", "http://127.0.0.1:" + server.port(), "--token-file", tokenFile.toString(), "--json");
            assertThat(result.exitCode()).as(result.toString()).isZero();
            var json = Cli.JSON.readTree(result.out());
            assertThat(json.get("layers")).singleElement().satisfies(l -> assertThat(l.get("destination").asText()).isEqualTo("/opt/app/"));
            assertThat(json.get("digest").asText()).startsWith("sha256:");
        }
    }

    /** The held files' inode numbers: a file uploaded again is a new file moved into place. */
    private static List<Object> inodes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().map(f -> {
                try {
                    return Files.getAttribute(f, "unix:ino");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
