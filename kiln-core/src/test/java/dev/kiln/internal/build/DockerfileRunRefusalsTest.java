package dev.kiln.internal.build;

import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a RUN may not do, each refused with {@code Dockerfile:LINE: RUN NAME …: MESSAGE} and no request: forms
 * Kiln does not carry out are refused when the Dockerfile is read; commands that fail as they would in a
 * container (a missing path, an unknown user, a permission the user lacks) fail once the base's files are
 * known, and with the base already in the store that needs no request either.
 */
class DockerfileRunRefusalsTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(74);


    @TempDir
    Path tmp;


    private DockerfileCases cases() {
        return new DockerfileCases(REGISTRY.registry(), REGISTRY.shellBase().ref(), tmp);
    }

    private void refused(String run, String message) throws IOException {
        cases().refused("FROM {{BASE}}\n" + run + "\n", Map.of(), Map.of(), "Dockerfile:2: " + message);
    }

    @Test
    void formsThatNeedARuntimeAreRefusedBeforeAnyRequest() throws IOException {
        String files = "Kiln carries out only file operations (mkdir, rm, ln, chmod, chown, cp, mv, touch, echo > file)";
        refused("RUN apt-get update && apt-get install -y curl", "RUN apt-get …: apt-get is a program; " + files);
        refused("RUN mkdir /x && curl -o /x/a https://example.com/a", "RUN curl …: curl is a program; " + files);
        refused("RUN echo hi | tee /x", "RUN echo …: a pipe ('|') passes output to a program");
        refused("RUN rm /x || true", "RUN rm …: '||' runs a command when another fails; Kiln joins commands with && and ; only");
        refused("RUN echo $(date) > /built", "RUN echo …: command substitution ('$(…)') runs a program");
        refused("RUN echo `hostname` > /h", "RUN echo …: command substitution ('`…`') runs a program");
        refused("RUN (cd /opt && mkdir x)", "RUN (cd …: a subshell ('(…)') needs a shell");
        refused("RUN cat <<EOF > /x", "RUN cat …: a heredoc ('<<') needs a shell");
        refused("RUN mkdir /x 2>/dev/null", "RUN mkdir …: a redirect other than > or >> into a file ('2>')");
        refused("RUN mkdir /x &", "RUN mkdir …: '&' runs a command in the background");
        refused("RUN --mount=type=cache,target=/root/.m2 mkdir /x", "RUN --mount needs a container runtime");
        refused("RUN echo -e 'a\\tb' > /x", "RUN echo …: echo -e: echo takes no options in Kiln (shells disagree on them); use printf");
        refused("RUN echo 'a\\nb' > /x", "RUN echo …: echo with a backslash ('a\\nb'): shells disagree on what it prints; use printf");
        refused("RUN printf '%d\\n' 3 > /x", "RUN printf …: printf format '%d\\n': Kiln prints %s, %%, \\n, \\t and \\\\ only");
        refused("RUN rm -i /opt/x", "RUN rm …: rm -i is not carried out by Kiln (rm takes -f, -R, -r, -d, -v)");
        refused("RUN chmod u+q /x", "RUN chmod …: chmod: invalid mode: 'u+q'");
        refused("RUN $TOOL /x", "RUN $… …: the command name comes from a variable");
        refused("RUN if [ -d /x ]; then rm -r /x; fi", "RUN if …: if is shell syntax or a shell builtin Kiln does not carry out");
        refused("RUN echo $? > /status", "RUN echo …: '$?' is a special parameter of a running shell");
        refused("RUN [\"/usr/bin/make\", \"install\"]", "RUN /usr/bin/make …: /usr/bin/make is a program; " + files);
    }

    @Test
    void runNoneRefusesEveryRun() throws IOException {
        long mark = REGISTRY.registry().mark();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cases().build("FROM {{BASE}}\nRUN mkdir -p /opt/flink/usrlib\n", Map.of(), Map.of(),
                        b -> b.run("none")))
                .hasMessageContaining("Dockerfile:2: RUN is refused by --run=none");
        assertThat(REGISTRY.registry().requestsSince(mark)).isEmpty();
    }

    /** Builds once so that the store holds the base and its layer indexes; the failing build then needs no request. */
    private void failsWithWarmStore(String dockerfile, String message) throws IOException {
        cases().build("FROM {{BASE}}\nRUN rm -f /nothing && chown flink /opt/flink\n", Map.of());
        BuildSupport.deleteTree(tmp.resolve("layout"));
        long mark = REGISTRY.registry().mark();
        cases().failsPublishingNothing(dockerfile, Map.of(), Map.of(), message);
        assertThat(REGISTRY.registry().requestsSince(mark)).as("no request: the base and its file lists are in the store").isEmpty();
    }

    @Test
    void rmOfAMissingPathFailsWithTheShellsMessage() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nRUN rm /opt/flink/lib/flink-connector-jdbc.jar\n",
                "Dockerfile:2: RUN rm …: rm: cannot remove '/opt/flink/lib/flink-connector-jdbc.jar': No such file or directory");
    }

    @Test
    void mkdirOfAnExistingDirectoryWithoutParentsFails() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nRUN mkdir /opt/flink\n", "Dockerfile:2: RUN mkdir …: mkdir: cannot create directory '/opt/flink': File exists");
    }

    @Test
    void aGlobThatMatchesNothingIsPassedOnAsWritten() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nRUN rm /opt/flink/lib/*-jdbc-*.jar\n",
                "Dockerfile:2: RUN rm …: rm: cannot remove '/opt/flink/lib/*-jdbc-*.jar': No such file or directory");
    }

    @Test
    void anUnknownUserNamesTheFileConsulted() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nUSER nobody2\nRUN mkdir /tmp/x\n",
                "Dockerfile:3: RUN mkdir …: USER nobody2: no user 'nobody2' in the image's /etc/passwd");
        failsWithWarmStore("FROM {{BASE}}\nRUN chown nobody2 /tmp\n",
                "Dockerfile:2: RUN chown …: chown: invalid user: 'nobody2' (no such user in the image's /etc/passwd)");
        failsWithWarmStore("FROM {{BASE}}\nCOPY --chown=flink:nogroup Dockerfile /opt/\n",
                "Dockerfile:2: COPY: --chown=flink:nogroup: no group 'nogroup' in the image's /etc/group");
    }

    @Test
    void aUserWithoutPermissionIsDeniedAsTheKernelWouldDeny() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nUSER flink\nRUN mkdir /etc/flink\n",
                "Dockerfile:3: RUN mkdir …: mkdir: cannot create directory '/etc/flink': Permission denied");
        failsWithWarmStore("FROM {{BASE}}\nUSER flink\nRUN chmod 600 /etc/timezone\n",
                "Dockerfile:3: RUN chmod …: chmod: changing permissions of '/etc/timezone': Operation not permitted");
        failsWithWarmStore("FROM {{BASE}}\nUSER ops\nRUN echo x > /opt/flink/conf/flink-conf.yaml\n",
                "Dockerfile:3: RUN echo …: /bin/sh: 1: cannot create /opt/flink/conf/flink-conf.yaml: Permission denied");
    }

    @Test
    void rmdirWithParentsOfAnAbsolutePathReachesTheRoot() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nRUN mkdir -p /x/y && rmdir -p /x/y\n",
                "Dockerfile:2: RUN rmdir …: rmdir: failed to remove directory '/': Device or resource busy");
    }

    @Test
    void hardLinksToBaseFilesAreRefused() throws IOException {
        failsWithWarmStore("FROM {{BASE}}\nRUN ln /etc/timezone /etc/tz\n",
                "Dockerfile:2: RUN ln …: ln: '/etc/timezone' is a file of the base: Kiln makes hard links only between files this build wrote");
    }
}
