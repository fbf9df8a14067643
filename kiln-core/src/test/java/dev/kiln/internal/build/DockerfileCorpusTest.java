package dev.kiln.internal.build;

import dev.kiln.api.BuildRequest;
import dev.kiln.error.InvalidInputException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.image.Platform;
import dev.kiln.testing.SharedRegistry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static dev.kiln.internal.build.BuildSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Dockerfile corpus: every supported instruction with the image it must give (config read from
 * the OCI layout, files unpacked by umoci), and every refused one with its error, which must come
 * before any request to the base's registry.
 */
class DockerfileCorpusTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(71);


    @TempDir
    Path tmp;


    private DockerfileCases cases() {
        return new DockerfileCases(BASE.registry(), BASE.flinkBase().ref(), tmp);
    }

    private Path context(Map<String, String> files) throws IOException {
        return cases().context(files);
    }

    private DockerfileCases.Built build(String dockerfile, Map<String, String> files, Map<String, String> buildArgs) throws IOException {
        return cases().build(dockerfile, files, buildArgs, b -> b);
    }

    private DockerfileCases.Built build(String dockerfile, Map<String, String> files) throws IOException {
        return cases().build(dockerfile, files);
    }

    private void refused(String dockerfile, Map<String, String> files, Map<String, String> buildArgs, String message) throws IOException {
        cases().refused(dockerfile, files, buildArgs, message);
    }

    private void failsPublishingNothing(String dockerfile, Map<String, String> files, Map<String, String> buildArgs, String message) {
        cases().failsPublishingNothing(dockerfile, files, buildArgs, message);
    }

    private void refused(String dockerfile, String message) throws IOException {
        refused(dockerfile, Map.of(), Map.of(), message);
    }

    private static Map<String, String> env(JsonNode config) {
        Map<String, String> env = new LinkedHashMap<>();
        texts(config.get("Env")).forEach(e -> env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        return env;
    }

    // --- what Kiln builds -------------------------------------------------------------------------

    @Test
    void theRequestsConfigurationAppliesOnTopOfTheDockerfilesAndItsFilesAreRefused() throws IOException {
        JsonNode config = cases().build("FROM {{BASE}}\nENV A=dockerfile B=kept\nLABEL team=dockerfile\n"
                        + "WORKDIR /opt\nUSER 1000\nENTRYPOINT [\"/bin/run\"]\nCMD [\"--help\"]\nEXPOSE 8081\nCOPY job.jar /opt/\n",
                Map.of("job.jar", "jar"), Map.of(), request -> request.env("A", "request").label("team", "request").workingDir("/srv")
                        .user("flink").entrypoint(List.of("/bin/other")).expose("6123/udp")).config();
        assertThat(env(config)).containsEntry("A", "request").containsEntry("B", "kept");
        assertThat(config.get("Labels").get("team").asText()).isEqualTo("request");
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/srv");
        assertThat(config.get("User").asText()).isEqualTo("flink");
        assertThat(texts(config.get("Entrypoint"))).containsExactly("/bin/other");
        assertThat(config.path("Cmd").isMissingNode() || config.path("Cmd").isNull())
                .as("a new entrypoint drops the Dockerfile's CMD, as docker run --entrypoint does").isTrue();
        assertThat(config.get("ExposedPorts").has("8081/tcp")).isTrue();
        assertThat(config.get("ExposedPorts").has("6123/udp")).isTrue();
        Path file = tmp.resolve("Dockerfile");
        assertThatThrownBy(() -> BuildRequest.dockerfile(file, tmp.resolve("context")).add(file, "/etc/Dockerfile")
                .to("oci:" + tmp.resolve("layout") + ":t").build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("takes its files from the Dockerfile");
    }

    @Test
    void copyAFileIntoADirectory() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nCOPY job.jar /opt/flink/usrlib/\n", Map.of("job.jar", "jar v1"));
        assertThat(built.rootfs(tmp).resolve("opt/flink/usrlib/job.jar")).hasContent("jar v1");
        assertThat(env(built.config())).containsEntry("FLINK_HOME", "/opt/flink");
    }

    @Test
    void argBeforeFromNamesTheBaseForTheTargetPlatform() throws IOException {
        DockerfileCases.Built built = build("ARG BASE_IMAGE\nFROM --platform=$TARGETPLATFORM ${BASE_IMAGE}\nLABEL built=yes\n", Map.of(),
                Map.of("BASE_IMAGE", BASE.flinkBase().ref()));
        assertThat(built.config().get("Labels").get("built").asText()).isEqualTo("yes");
    }

    @Test
    void argDefaultsBuildArgsAndDefaultExpansion() throws IOException {
        String dockerfile = "FROM {{BASE}}\nARG VERSION=1.0\nARG EMPTY\nLABEL version=${VERSION} fallback=${EMPTY:-none} alt=${VERSION:+set}\n";
        assertThat(build(dockerfile, Map.of()).config().get("Labels").get("version").asText()).isEqualTo("1.0");
        DockerfileCases.Built overridden = build(dockerfile, Map.of(), Map.of("VERSION", "2.0"));
        assertThat(overridden.config().get("Labels").get("version").asText()).isEqualTo("2.0");
        assertThat(overridden.config().get("Labels").get("fallback").asText()).isEqualTo("none");
        assertThat(overridden.config().get("Labels").get("alt").asText()).isEqualTo("set");
    }

    @Test
    void automaticPlatformArgumentsExistInTheStageOnlyWhenDeclared() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nARG TARGETARCH\nARG TARGETPLATFORM\nLABEL arch=$TARGETARCH os=x${TARGETOS}x platform=$TARGETPLATFORM\n", Map.of());
        assertThat(built.config().get("Labels").get("arch").asText()).isEqualTo(Platform.host().architecture());
        assertThat(built.config().get("Labels").get("os").asText()).isEqualTo("xx");
        assertThat(built.config().get("Labels").get("platform").asText()).isEqualTo(Platform.host().toString());
    }

    @Test
    void envInBothFormsAndSubstitutionFromEarlierEnv() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\nENV C=${A}-$FLINK_HOME\n", Map.of());
        assertThat(env(built.config())).containsEntry("A", "1").containsEntry("B", "two words")
                .containsEntry("LEGACY", "value with spaces").containsEntry("C", "1-/opt/flink");
    }

    @Test
    void workdirIsRelativeToThePreviousOneAndUserIsSet() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nWORKDIR /opt\nWORKDIR app/../flink\nUSER 9999:9999\n", Map.of());
        assertThat(built.config().get("WorkingDir").asText()).isEqualTo("/opt/flink");
        assertThat(built.config().get("User").asText()).isEqualTo("9999:9999");
    }

    @Test
    void entrypointAndCmdInExecForm() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nENTRYPOINT [\"/docker-entrypoint.sh\"]\nCMD [\"jobmanager\"]\n", Map.of());
        assertThat(texts(built.config().get("Entrypoint"))).containsExactly("/docker-entrypoint.sh");
        assertThat(texts(built.config().get("Cmd"))).containsExactly("jobmanager");
    }

    @Test
    void cmdInShellFormRunsThroughTheShell() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nCMD echo \"hello $USER\"\n", Map.of());
        assertThat(texts(built.config().get("Cmd"))).containsExactly("/bin/sh", "-c", "echo \"hello $USER\"");
    }

    @Test
    void exposeVolumeAndLabels() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nEXPOSE 8081 6123/udp\nVOLUME [\"/data\"]\nVOLUME /logs /checkpoints\nLABEL team=data \"the job\"=orders\n",
                Map.of());
        assertThat(built.config().get("ExposedPorts").has("8081/tcp")).isTrue();
        assertThat(built.config().get("ExposedPorts").has("6123/udp")).isTrue();
        assertThat(built.config().get("Volumes").fieldNames()).toIterable().contains("/data", "/logs", "/checkpoints");
        assertThat(built.config().get("Labels").get("the job").asText()).isEqualTo("orders");
    }

    @Test
    void copyWithChownAndChmod() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nCOPY --chown=9999:9999 --chmod=0640 conf/ /opt/flink/conf/\n",
                Map.of("conf/flink-conf.yaml", "parallelism.default: 2\n"));
        Path conf = built.rootfs(tmp).resolve("opt/flink/conf/flink-conf.yaml");
        assertThat(conf).hasContent("parallelism.default: 2");
        BuildSupport.Node node = BuildSupport.Node.of(conf);
        assertThat(node.mode()).isEqualTo(0640);
        assertThat(node.uid()).isEqualTo(9999);
        assertThat(node.gid()).isEqualTo(9999);
    }

    @Test
    void relativeDestinationsFollowWorkdirAndBaseEnvironmentIsSubstituted() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nWORKDIR /opt/flink\nCOPY job.jar usrlib/orders.jar\nCOPY job.jar $FLINK_HOME/usrlib/again.jar\n",
                Map.of("job.jar", "jar"));
        Path rootfs = built.rootfs(tmp);
        assertThat(rootfs.resolve("opt/flink/usrlib/orders.jar")).hasContent("jar");
        assertThat(rootfs.resolve("opt/flink/usrlib/again.jar")).hasContent("jar");
    }

    @Test
    void wildcardsAndSeveralSourcesGoIntoADirectory() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nCOPY lib/*.jar extra.jar /opt/flink/lib/\n",
                Map.of("lib/a.jar", "a", "lib/b.jar", "b", "lib/readme.txt", "no", "extra.jar", "extra"));
        Path lib = built.rootfs(tmp).resolve("opt/flink/lib");
        assertThat(lib.resolve("a.jar")).hasContent("a");
        assertThat(lib.resolve("b.jar")).hasContent("b");
        assertThat(lib.resolve("extra.jar")).hasContent("extra");
        assertThat(lib.resolve("readme.txt")).doesNotExist();
    }

    @Test
    void dockerignoreLeavesFilesOut() throws IOException {
        DockerfileCases.Built built = build("FROM {{BASE}}\nCOPY . /app/\n", Map.of(".dockerignore", "*.tmp\nsecret/\n!keep.tmp\n",
                "main.txt", "m", "scratch.tmp", "t", "keep.tmp", "k", "secret/key", "s"));
        Path app = built.rootfs(tmp).resolve("app");
        assertThat(app.resolve("main.txt")).hasContent("m");
        assertThat(app.resolve("keep.tmp")).hasContent("k");
        assertThat(app.resolve("scratch.tmp")).doesNotExist();
        assertThat(app.resolve("secret/key")).doesNotExist();
    }

    @Test
    void addExtractsALocalTarArchive() throws IOException {
        context(Map.of());
        writeTar(tmp.resolve("context/bundle.tar.gz"), Map.of("bundle/conf.yaml", "x: 1\n", "bundle/bin/run.sh", "#!/bin/sh\n"));
        DockerfileCases.Built built = build("FROM {{BASE}}\nADD bundle.tar.gz /opt/\n", Map.of());
        Path rootfs = built.rootfs(tmp);
        assertThat(rootfs.resolve("opt/bundle/conf.yaml")).hasContent("x: 1");
        assertThat(rootfs.resolve("opt/bundle/bin/run.sh")).exists();
    }

    @Test
    void dockerignoreDoesNotApplyToWhatAnArchiveHolds() throws IOException {
        Map<String, String> ignore = Map.of(".dockerignore", "**/*.log\n");
        context(ignore);
        writeTar(tmp.resolve("context/bundle.tar.gz"), Map.of("bundle/app.log", "kept\n", "bundle/conf.yaml", "x: 1\n"));
        DockerfileCases.Built built = build("FROM {{BASE}}\nADD bundle.tar.gz /opt/\n", ignore);
        assertThat(built.rootfs(tmp).resolve("opt/bundle/app.log")).as("as Docker does: .dockerignore filters the context only")
                .hasContent("kept");
    }

    @Test
    void commentsContinuationsLowercaseAndTheEscapeDirective() throws IOException {
        DockerfileCases.Built built = build("# escape=`\n# a comment\nfrom {{BASE}}\nlabel one=1 `\n  # comment inside\n  two=2\ncopy job.jar `\n  /opt/job.jar\n",
                Map.of("job.jar", "j"));
        assertThat(built.config().get("Labels").get("one").asText()).isEqualTo("1");
        assertThat(built.config().get("Labels").get("two").asText()).isEqualTo("2");
        assertThat(built.rootfs(tmp).resolve("opt/job.jar")).hasContent("j");
    }

    // --- what Kiln refuses ------------------------------------------------------------------------

    @Test
    void runIsRefusedWithTheLineAndTheReason() throws IOException {
        refused("FROM {{BASE}}\nRUN apt-get install -y curl\n", "Dockerfile:2: RUN apt-get …: apt-get is a program; Kiln carries out "
                + "only file operations (mkdir, rm, ln, chmod, chown, cp, mv, touch, echo > file)");
    }

    @Test
    void addOfAUrlIsRefused() throws IOException {
        refused("FROM {{BASE}}\nADD https://repo1.maven.org/x.jar /opt/\n", "Dockerfile:2: ADD of a URL");
    }

    @Test
    void theOtherInstructionsKilnCannotCarryOutAreRefused() throws IOException {
        for (String instruction : List.of("SHELL [\"/bin/bash\", \"-c\"]", "HEALTHCHECK CMD curl -f http://localhost/",
                "ONBUILD COPY . /app", "STOPSIGNAL SIGTERM", "MAINTAINER someone")) {
            refused("FROM {{BASE}}\n" + instruction + "\n", "Dockerfile:2: " + instruction.split(" ")[0] + " is not supported by Kiln");
        }
    }

    @Test
    void copyFromAnotherStageIsRefused() throws IOException {
        refused("FROM {{BASE}}\nCOPY --from=builder /out/job.jar /opt/\n", "Dockerfile:2: COPY --from");
    }

    @Test
    void multiStageBuildsAreRefused() throws IOException {
        refused("FROM {{BASE}} AS builder\nFROM {{BASE}}\n", "Dockerfile:2: a second FROM");
    }

    @Test
    void unknownInstructionsAreSyntaxErrorsWithLineAndColumn() throws IOException {
        refused("FROM {{BASE}}\n  FETCH x\n", "Dockerfile:2:3: unknown instruction 'FETCH'");
        refused("FROM {{BASE}}\nCOPY --chown /x /y\n", "Dockerfile:2:6: invalid option '--chown'");
        refused("FROM {{BASE}}\nENV\n", "ENV needs arguments");
    }

    @Test
    void anUndeclaredBuildArgumentIsAnError() throws IOException {
        refused("FROM {{BASE}}\nARG VERSION\n", Map.of(), Map.of("VERISON", "2"), "build argument 'VERISON' is not declared");
    }

    @Test
    void instructionsBeforeFromAreRefused() throws IOException {
        refused("ENV A=1\nFROM {{BASE}}\n", "Dockerfile:1: ENV before FROM");
    }

    @Test
    void sourcesMustBeInTheContext() throws IOException {
        failsPublishingNothing("FROM {{BASE}}\nCOPY ../outside /x\n", Map.of(), Map.of(), "'../outside' is outside the build context");
        failsPublishingNothing("FROM {{BASE}}\nCOPY missing.jar /x\n", Map.of(), Map.of(), "'missing.jar' is not in the build context");
        failsPublishingNothing("FROM {{BASE}}\nCOPY a.txt b.txt /dest\n", Map.of("a.txt", "a", "b.txt", "b"), Map.of(),
                "must be a directory ending in /");
    }

    @Test
    void archivesThatClimbOutAreRefused() throws IOException {
        context(Map.of());
        writeTar(tmp.resolve("context/evil.tar.gz"), Map.of("../../../etc/evil", "x"));
        failsPublishingNothing("FROM {{BASE}}\nADD evil.tar.gz /opt/\n", Map.of(), Map.of(), "climbs out of the archive");
        assertThat(tmp.resolve("etc/evil")).doesNotExist();
    }

    @Test
    void archiveLinksThatPointOutAreRefusedAndNothingIsWrittenThroughThem() throws IOException {
        context(Map.of());
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        writeLinkTar(tmp.resolve("context/symlink.tar"), TarArchiveEntry.LF_SYMLINK, "escape", victim.toString(), "escape/evil");
        failsPublishingNothing("FROM {{BASE}}\nADD symlink.tar /opt/\n", Map.of(), Map.of(), "symlink.tar");
        assertThat(victim.resolve("evil")).as("nothing written through the link").doesNotExist();
        writeLinkTar(tmp.resolve("context/hardlink.tar"), TarArchiveEntry.LF_LINK, "passwd", "../../../../../etc/passwd", null);
        failsPublishingNothing("FROM {{BASE}}\nADD hardlink.tar /opt/\n", Map.of(), Map.of(), "hardlink.tar");
        writeLinkTar(tmp.resolve("context/relative.tar"), TarArchiveEntry.LF_SYMLINK, "up", "../../../../..", "up/evil");
        failsPublishingNothing("FROM {{BASE}}\nADD relative.tar /opt/\n", Map.of(), Map.of(), "relative.tar");
        assertThat(Path.of("/evil")).doesNotExist();
    }

    /** A tar with one link entry ({@code name} → {@code target}) and, when given, a file written through it. */
    private static void writeLinkTar(Path file, byte type, String name, String target, String throughLink) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            TarArchiveEntry link = new TarArchiveEntry(name, type);
            link.setLinkName(target);
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            if (throughLink != null) {
                byte[] content = "evil".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry evil = new TarArchiveEntry(throughLink);
                evil.setSize(content.length);
                tar.putArchiveEntry(evil);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
    }

    private static void writeTar(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                byte[] content = entry.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry header = new TarArchiveEntry(entry.getKey(), true);
                header.setSize(content.length);
                header.setMode(0100755);
                tar.putArchiveEntry(header);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
    }
}
