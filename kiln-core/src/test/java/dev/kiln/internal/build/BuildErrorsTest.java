package dev.kiln.internal.build;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.Kiln;
import dev.kiln.internal.build.BuildSupport.JobSources;
import dev.kiln.error.AuthenticationException;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.testing.AccessLogEntry;
import dev.kiln.testing.RegistryFixture;
import dev.kiln.testing.SharedRegistry;
import dev.kiln.testing.Skopeo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.kilnBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad inputs and refusing targets: one-line typed errors, and nothing published. */
class BuildErrorsTest {
    @RegisterExtension
    static final SharedRegistry BASE = SharedRegistry.plain(41);
    @RegisterExtension
    static final SharedRegistry TARGET = SharedRegistry.plain(42);


    @TempDir
    Path tmp;


    /** The tag does not exist: skopeo cannot read it and the registry has no such repository. */
    private static void assertNotPublished(RegistryFixture registry, String repository, String tag) {
        assertThatThrownBy(() -> Skopeo.inspectRaw(registry.hostPort() + "/" + repository + ":" + tag, false, registry.credentials()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("unknown");
        assertThat(registry.rootDirectory().resolve("docker/registry/v2/repositories/" + repository)).doesNotExist();
    }

    @Test
    void missingSourceIsAnInvalidInputNamingItAndNothingIsPushed() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 71, 10_000);
        Path missing = tmp.resolve("target/orders-1.0-SNAPSHOT.jar");
        String repository = TARGET.freshRepository("jobs/missing-");
        long mark = TARGET.registry().mark();
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(BASE.flinkBase().ref())
                    .add(sources.conf(), "/opt/flink/conf/")
                    .add(missing, "/opt/flink/usrlib/job.jar")
                    .to(TARGET.registry().hostPort() + "/" + repository + ":1").build()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(missing.toString())
                    .hasMessageContaining("does not exist")
                    .hasMessageNotContaining("\n");
        }
        List<AccessLogEntry> log = TARGET.registry().requestsSince(mark);
        assertThat(log).as("the target is not contacted before every layer is built").isEmpty();
        assertNotPublished(TARGET.registry(), repository, "1");
    }

    @Test
    void relativeDestinationIsRejectedBeforeAnyRequest() throws IOException {
        Path jar = Files.write(tmp.resolve("job.jar"), JobSources.jarBytes(72, 1000));
        long baseMark = BASE.registry().mark();
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(BASE.flinkBase().ref())
                    .add(jar, "opt/flink/usrlib/job.jar")
                    .to(TARGET.registry().hostPort() + "/jobs/relative:1").build()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'opt/flink/usrlib/job.jar'")
                    .hasMessageContaining("absolute")
                    .hasMessageNotContaining("\n");
        }
        assertThat(BASE.registry().requestsSince(baseMark)).as("validated before resolving the base").isEmpty();
    }

    @Test
    void ociTargetUnderARegularFileIsAOneLineErrorNamingThePath() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        Path layout = file.resolve("layout");
        Path content = Files.writeString(tmp.resolve("x"), "x\n");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.scratch().add(content, "/app/x")
                    .to("oci:" + layout + ":v1").build()))
                    .isInstanceOf(KilnException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageNotContaining("\n");
        }
        assertThat(file).isRegularFile().hasContent("x");
    }

    @Test
    void tarTargetInAMissingDirectoryIsAOneLineErrorNamingIt() throws IOException {
        Path content = Files.writeString(tmp.resolve("x"), "x\n");
        Path tar = tmp.resolve("no-such-dir/image.tar");
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.scratch().add(content, "/app/x")
                    .to("tar:" + tar).build()))
                    .isInstanceOf(KilnException.class)
                    .hasMessageContaining(tar.getParent().toString())
                    .hasMessageNotContaining("\n");
        }
        assertThat(tar.getParent()).doesNotExist();
    }

    @Test
    void targetRejectingTheCredentialsIsAnAuthenticationErrorAndNothingIsPublished() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 73, 10_000);
        try (RegistryFixture secured = RegistryFixture.basicAuth();
             Kiln kiln = kilnBuilder(tmp.resolve("cache"))
                     .credential(secured.hostPort(), secured.username(), "wrong-password-4711").build()) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(BASE.flinkBase().ref())
                    .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                    .to(secured.hostPort() + "/jobs/secured:1").build()))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining(secured.hostPort())
                    .hasMessageNotContaining("wrong-password-4711")
                    .hasMessageNotContaining("\n");
            assertThat(secured.requests()).as("nothing was accepted").allMatch(e -> e.status() == 401)
                    .isNotEmpty();
            assertNotPublished(secured, "jobs/secured", "1");
        }
    }

    @Test
    void registryRefusingPushesIsAClearErrorNamingIt() throws IOException {
        JobSources sources = JobSources.create(tmp.resolve("src"), 74, 10_000);
        try (RegistryFixture cache = RegistryFixture.proxyOf(BASE.registry()); Kiln kiln = kiln(tmp.resolve("cache"))) {
            assertThatThrownBy(() -> kiln.build(BuildRequest.from(BASE.flinkBase().ref())
                    .add(sources.jobJar(), "/opt/flink/usrlib/job.jar")
                    .to(cache.hostPort() + "/jobs/refused:1").build()))
                    .isInstanceOf(KilnException.class)
                    .hasMessageContaining(cache.hostPort())
                    .hasMessageNotContaining("\n");
            assertThat(cache.requests()).noneMatch(e -> e.method().equals("PUT") && e.status() == 201);
            assertNotPublished(cache, "jobs/refused", "1");
        }
    }
}
