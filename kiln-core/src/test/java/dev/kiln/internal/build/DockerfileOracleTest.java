package dev.kiln.internal.build;

import dev.kiln.image.Digest;
import dev.kiln.testing.Buildah;
import dev.kiln.testing.SharedRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kiln's runtime-free RUN against an independent oracle: Buildah runs the same Dockerfile's RUN in a chroot of
 * a Debian-like base with a shell (dash and coreutils of this machine, {@code scripts/shell-base-rootfs.sh}); both
 * images, unpacked by umoci, must have identical trees: path, type, mode, owner, link target and content. Not
 * compared: {@code /etc/hosts}, {@code /etc/resolv.conf} and {@code /etc/hostname}, which a runtime writes.
 *
 * <p>Failing commands are compared too: Kiln's error must carry what the command printed in Buildah's chroot.
 *
 * <p>The StreamPark templates, three RUN-heavy cases and five failing commands run in the normal suite; the rest
 * of the oracle corpus (seven Dockerfiles and thirteen failing commands, about a second each) runs with
 * {@code -Dkiln.oracle=all}.
 */
class DockerfileOracleTest {
    private static final Set<String> RUNTIME_FILES = Set.of("etc/hosts", "etc/resolv.conf", "etc/hostname");

    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(75);

    private static Buildah buildah;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBuildah(@TempDir Path work) {
        buildah = new Buildah(work.resolve("buildah"));
    }

    private static void full() {
        Assumptions.assumeTrue("all".equals(System.getProperty("kiln.oracle")), "the full oracle corpus runs with -Dkiln.oracle=all");
    }

    /** Builds {@code dockerfile} with Kiln and with Buildah and compares the unpacked trees. */
    private void sameAsBuildah(String dockerfile, Map<String, String> files) throws IOException {
        DockerfileCases cases = new DockerfileCases(REGISTRY.registry(), REGISTRY.shellBase().ref(), tmp);
        Path kiln = cases.build(dockerfile, files).rootfs(tmp);
        Path layout = tmp.resolve("buildah-layout");
        buildah.build(tmp.resolve("Dockerfile"), tmp.resolve("context"), layout, "oracle-" + System.nanoTime());
        Path oracle = BuildSupport.umociUnpack(layout, "t", tmp.resolve("buildah-bundle"));
        Map<String, String> expected = tree(oracle);
        // mount points a runtime makes when the base lacks them
        for (String mountPoint : List.of("dev", "proc", "sys", "run")) {
            if (!Files.exists(kiln.resolve(mountPoint))) {
                expected.remove(mountPoint);
            }
        }
        assertThat(tree(kiln)).as("Kiln's tree, compared with Buildah's").containsExactlyEntriesOf(expected);
    }

    /**
     * The Dockerfile must fail in Kiln as in Buildah: Kiln's message holds what the command printed in Buildah's chroot
     * (after it, Kiln may name the file it consulted: {@code (no such user in the image's /etc/passwd)}).
     */
    private void failsAsInBuildah(String dockerfile) throws IOException {
        DockerfileCases cases = new DockerfileCases(REGISTRY.registry(), REGISTRY.shellBase().ref(), tmp);
        String kilnMessage = org.assertj.core.api.Assertions.catchThrowable(() -> cases.build(dockerfile, Map.of())).getMessage();
        String printed = buildah.failure(tmp.resolve("Dockerfile"), tmp.resolve("context"));
        assertThat(kilnMessage).as("Kiln's error, compared with what the command printed under Buildah").contains(": " + printed);
    }

    /** Path → type, mode, owner, link target and content digest, for every path but the runtime's files. */
    static Map<String, String> tree(Path root) {
        Map<String, String> nodes = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(p -> !p.equals(root)).toList()) {
                String path = root.relativize(p).toString();
                if (RUNTIME_FILES.contains(path)) {
                    continue;
                }
                String node = BuildSupport.Node.of(p).toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    node += " " + Digest.sha256(Files.readAllBytes(p)).shortHex();
                }
                nodes.put(path, node);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nodes;
    }

    /** StreamPark's Dockerfile as it writes it, from {@code scripts/streampark/} (which the proof script uses too). */
    private static String streamParkTemplate(String name) throws IOException {
        return Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/streampark/" + name + ".Dockerfile"));
    }

    private static final Map<String, String> JOB = Map.of("job.jar", "the job v1\n",
            "lib/flink-connector-kafka-3.1.0-1.18.jar", "kafka connector\n", "lib/flink-sql-connector-hive-3.1.3_2.12.jar", "hive\n");

    // --- in the normal suite ----------------------------------------------------------------------

    @Test
    void streamParkTemplate() throws IOException {
        sameAsBuildah(streamParkTemplate("FlinkDockerfileTemplate"), JOB);
    }

    @Test
    void streamParkHadoopTemplate() throws IOException {
        Map<String, String> files = new java.util.HashMap<>(JOB);
        files.put("hadoop-conf/core-site.xml", "<configuration/>\n");
        files.put("hadoop-conf/hdfs-site.xml", "<configuration/>\n");
        files.put("hive-conf/hive-site.xml", "<configuration/>\n");
        sameAsBuildah(streamParkTemplate("FlinkHadoopDockerfileTemplate"), files);
    }

    @Test
    void publicFlinkDockerfilePatterns() throws IOException {
        sameAsBuildah("""
                FROM {{BASE}}
                RUN rm -rf /opt/flink/lib/flink-connector-kafka-*.jar
                COPY --chown=flink:flink lib/ /opt/flink/lib/
                RUN ["chmod", "+x", "/opt/flink/bin/flink"]
                RUN mkdir -p /usr/local/bin && ln -s /opt/flink/bin/flink /usr/local/bin/flink
                RUN echo "Asia/Shanghai" > /etc/timezone
                USER flink
                RUN mkdir -p $FLINK_HOME/usrlib && echo done > $FLINK_HOME/usrlib/ready
                """, JOB);
    }

    @Test
    void whiteoutsOpaqueDirectoriesAndCopyUp() throws IOException {
        sameAsBuildah("""
                FROM {{BASE}}
                RUN rm -rf /opt/legacy && mkdir -p /opt/legacy/sub && echo new > /opt/legacy/sub/new.txt
                RUN chmod 640 /opt/flink/conf/flink-conf.yaml && chown -R ops:admins /opt/flink/log && chmod g+s /opt/flink/log
                RUN rm /etc/timezone; rmdir -p /opt/legacy/sub/none; rm /opt/legacy/sub/new.txt && rmdir /opt/legacy/sub
                """, Map.of());
    }

    @Test
    void copyChownByNameAndRunAsAnotherUser() throws IOException {
        sameAsBuildah("""
                FROM {{BASE}}
                COPY --chown=ops conf/ /opt/conf/
                COPY --chown=flink:admins job.jar /opt/flink/job.jar
                USER ops
                RUN touch /tmp/ops-file && mkdir -m 700 /tmp/ops-dir && cp /opt/conf/a.yaml /tmp/ops-dir/
                USER root
                RUN chown flink: /tmp/ops-file
                """, Map.of("conf/a.yaml", "a: 1\n", "job.jar", "j\n"));
    }

    // --- the rest of the oracle corpus: -Dkiln.oracle=all ------------------------------------------

    @Test
    void mkdirRmdirAndModes() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                RUN mkdir -p -m 0750 /data/a/b && mkdir /data/c && mkdir -m u=rwx,g=rx,o= /data/d && mkdir -p /x/y && cd / && rmdir -p x/y
                RUN chmod 1777 /data/c && chmod -R go-rx /data/a && chmod a+X /data/a/b && chmod =r /data
                """, Map.of());
    }

    @Test
    void cpAndMv() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                RUN cp /opt/flink/conf/flink-conf.yaml /opt/flink/conf/flink-conf.yaml.orig && cp -r /opt/flink/conf /opt/conf-copy
                RUN cp -a /opt/flink/bin /opt/bin-archive && cp -p /opt/flink/bin/flink /tmp/flink-p && mv /opt/legacy /opt/moved
                RUN mkdir /opt/into && cp /opt/flink/conf/flink-conf.yaml /opt/flink/bin/flink /opt/into/ && mv /opt/into/flink /opt/into/renamed
                """, Map.of());
    }

    @Test
    void linksAndRedirects() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                RUN ln -s /opt/flink/conf /etc/flink && ln -sf ../flink-dist-1.18.1.jar /opt/flink/lib/dist.jar && ln -sfn /tmp /etc/flink
                RUN echo data > /opt/a && ln /opt/a /opt/b && printf '%s=%s\\n' a 1 b 2 > /opt/app.properties && echo more >> /opt/app.properties
                RUN : > /opt/empty && echo 'x' > /etc/flink/in-tmp && echo "it's" '"quoted"' > /opt/quotes
                """, Map.of());
    }

    @Test
    void variablesGlobsAndChains() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                ENV APP_DIR="/opt/my app"
                ARG JOB=orders
                WORKDIR /opt/flink
                RUN mkdir -p "$APP_DIR/${JOB}" '/opt/$literal' && echo "${MISSING:-default} $JOB" in $FLINK_HOME > "$APP_DIR/$JOB/info"
                RUN cp conf/*.yaml /tmp/ && echo lib/* > /opt/listing && echo /opt/flink/[bc]* > /opt/listing2 && echo [none]* > /opt/nomatch && echo r > /opt/fl*
                RUN rm /missing; mkdir /after && cd lib && rm flink-connector-kafka-1.17.jar && cd .. && ln -s lib/flink-dist-1.18.1.jar dist.jar
                """, Map.of());
    }

    @Test
    void accountsWrittenByAnEarlierRun() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                RUN echo 'app:x:2000:2000::/app:/bin/sh' >> /etc/passwd && echo 'app:x:2000:' >> /etc/group
                RUN mkdir /app && chown app:app /app
                USER app
                RUN touch /app/mine && mkdir /app/sub && ln -s mine /app/link
                WORKDIR /app/work/dir
                RUN touch here && echo $HOME > home
                """, Map.of());
    }

    @Test
    void specialBitsLinksOnTheWayAndOverwrites() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                RUN mkdir -m 2775 /shared && chgrp admins /shared && mkdir /shared/sub && touch /shared/file
                RUN chmod 755 /shared && cp -r /root /tmp/root-copy && chmod 4755 /opt/flink/bin/flink && chown ops /opt/flink/bin/flink
                RUN ln -s /opt/flink /flink && mkdir /flink/plugins && echo x > /flink/plugins/p.txt && ln -s plugins/p.txt /flink/p
                RUN echo new > /tmp/a && echo old > /tmp/b && mv -f /tmp/a /tmp/b && cp /tmp/b /opt/flink/conf/flink-conf.yaml
                RUN rm -r /opt/flink/plugins /opt/flink/log && mkdir /opt/flink/log && ln -sf /dev/null /opt/flink/log/out
                USER ops
                RUN touch /tmp/ops && rm -f /tmp/ops && mkdir -p /tmp/ops/a/b && chmod -R 700 /tmp/ops
                """, Map.of());
    }

    @Test
    void failingCommandsSayWhatTheySayInAContainer() throws IOException {
        for (String run : List.of("RUN rm /opt/flink/lib/none.jar", "RUN mkdir /opt/flink", "RUN mkdir -p /etc/passwd/x",
                "RUN echo x > /nonexistent/file", "RUN echo x > /opt", "RUN cp /opt/legacy /tmp/", "RUN ln -s a /etc/timezone",
                "RUN rmdir /opt/legacy", "RUN chown nobody2 /tmp", "RUN rm /opt/legacy", "RUN touch /none/x", "RUN cd /none",
                "USER flink\nRUN mkdir /etc/flink", "USER flink\nRUN chmod 600 /etc/timezone", "USER ops\nRUN rm /opt/flink/conf/flink-conf.yaml",
                "USER flink\nRUN chown flink /etc/timezone", "RUN mv /opt/legacy /opt/legacy/sub", "RUN chmod 644 /none")) {
            failsAsInBuildah("FROM {{BASE}}\n" + run + "\n");
            if (!"all".equals(System.getProperty("kiln.oracle")) && run.startsWith("RUN echo x > /opt")) {
                break; // the suite checks the first five; -Dkiln.oracle=all all eighteen
            }
        }
    }

    @Test
    void pathsAndOperandsAtTheEdges() throws IOException {
        full();
        sameAsBuildah("""
                FROM {{BASE}}
                WORKDIR /opt
                RUN mkdir -p a/../b/ c/./d && cp -r /opt/flink/conf b/ && cp -r /opt/flink/conf b/ && mv /etc/timezone b/ && ln -s b/timezone
                RUN ln -s /nowhere /tmp/dangling && touch /tmp/dangling && ln -s /nowhere2 /tmp/dangling2 && echo x > /tmp/dangling2
                RUN printf '%s|' > /opt/printf-empty; echo "${UNSET-dash}${EMPTY-}${FLINK_HOME+set}" > /opt/ops
                RUN chmod -R u=rwX,go=rX /opt/flink && chown -h flink /tmp/dangling && cp -p /opt/flink/bin/flink /opt/flink-p
                RUN rm -rf /opt/flink/lib/* && cp /opt/flink/conf/flink-conf.yaml /opt/flink/lib/ && mv /opt/legacy /opt/renamed
                RUN rm -rf /opt/renamed && mkdir /opt/renamed && echo again > /opt/renamed/file
                RUN echo more > /opt/renamed/more && mkdir -p /opt/flink/conf/ && rmdir /opt/c/d /opt/c
                """, Map.of());
    }
}
