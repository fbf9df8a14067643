package dev.kiln.internal.build;

import dev.kiln.testing.SharedRegistry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RUN corpus: a Dockerfile per supported command, option and shell feature, built on a Debian-like base
 * with a shell and a flink-owned {@code /opt/flink} (the same base the Buildah oracle uses), with the files
 * each must give (unpacked by umoci) and, for whiteouts and opaque directories, the layer's own entries.
 * Refused forms are in {@link DockerfileRunRefusalsTest}.
 */
class DockerfileRunCorpusTest {
    @RegisterExtension
    static final SharedRegistry REGISTRY = SharedRegistry.plain(73);


    @TempDir
    Path tmp;


    private DockerfileCases cases() {
        return new DockerfileCases(REGISTRY.registry(), REGISTRY.shellBase().ref(), tmp);
    }

    private Path rootfs(String dockerfile) throws IOException {
        return rootfs(dockerfile, Map.of());
    }

    private Path rootfs(String dockerfile, Map<String, String> files) throws IOException {
        return cases().build(dockerfile, files).rootfs(tmp);
    }

    private static String node(Path path) {
        return BuildSupport.Node.of(path).toString();
    }

    /** The entries of the image's top layer, as its tar lists them. */
    private List<String> topLayer() throws IOException {
        List<String> layers = layerDigests();
        String top = layers.get(layers.size() - 1).substring(7);
        List<String> names = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tmp.resolve("layout/blobs/sha256/" + top)));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private int layerCount() throws IOException {
        return layerDigests().size();
    }

    @Test
    void streamParkTemplateMakesUsrlibAndCopiesTheJobAndLib() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN mkdir -p $FLINK_HOME/usrlib\nCOPY job.jar $FLINK_HOME/usrlib/job.jar\nCOPY lib $FLINK_HOME/lib/\n",
                Map.of("job.jar", "the job", "lib/flink-connector-kafka-3.1.jar", "connector"));
        assertThat(node(root.resolve("opt/flink/usrlib"))).isEqualTo("d 755 0:0");
        assertThat(root.resolve("opt/flink/usrlib/job.jar")).hasContent("the job");
        assertThat(root.resolve("opt/flink/lib/flink-connector-kafka-3.1.jar")).hasContent("connector");
        assertThat(node(root.resolve("opt/flink"))).as("the base's directory untouched").isEqualTo("d 755 9999:9999");
    }

    @Test
    void mkdirWithParentsAndAMode() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN mkdir -p -m 0750 /data/a/b && mkdir /data/c && mkdir --mode=700 /data/d\n");
        assertThat(node(root.resolve("data"))).isEqualTo("d 755 0:0");
        assertThat(node(root.resolve("data/a"))).isEqualTo("d 755 0:0");
        assertThat(node(root.resolve("data/a/b"))).isEqualTo("d 750 0:0");
        assertThat(node(root.resolve("data/c"))).isEqualTo("d 755 0:0");
        assertThat(node(root.resolve("data/d"))).isEqualTo("d 700 0:0");
    }

    @Test
    void mkdirOfAnExistingDirectoryAddsNothing() throws IOException {
        cases().build("FROM {{BASE}}\nRUN mkdir -p /opt/flink/lib /tmp\n", Map.of());
        assertThat(layerCount()).isEqualTo(REGISTRY.shellBase().layers().size());
    }

    @Test
    void removingABaseFileWritesAWhiteout() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN rm /opt/flink/lib/flink-connector-kafka-1.17.jar\n");
        assertThat(root.resolve("opt/flink/lib/flink-connector-kafka-1.17.jar")).doesNotExist();
        assertThat(root.resolve("opt/flink/lib/flink-dist-1.18.1.jar")).exists();
        assertThat(topLayer()).containsExactly("opt/flink/lib/.wh.flink-connector-kafka-1.17.jar");
    }

    @Test
    void rmRecursiveAndForce() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN rm -rf /opt/legacy /does/not/exist && rm -f /nothing\n");
        assertThat(root.resolve("opt/legacy")).doesNotExist();
        assertThat(root.resolve("opt/flink")).exists();
    }

    @Test
    void aDirectoryRemovedAndMadeAgainIsOpaque() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN rm -rf /opt/legacy && mkdir -p /opt/legacy && echo new > /opt/legacy/new.txt\n");
        assertThat(root.resolve("opt/legacy/sub")).doesNotExist();
        assertThat(root.resolve("opt/legacy/new.txt")).hasContent("new");
        assertThat(topLayer()).containsExactly("opt/legacy/", "opt/legacy/.wh..wh..opq", "opt/legacy/new.txt");
    }

    @Test
    void rmdirAndRmDirOfEmptyDirectories() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN mkdir -p /x/y /z && cd / && rmdir -p x/y && rm -d /z && mkdir /opt/legacy/empty && rmdir /opt/legacy/empty\n");
        assertThat(root.resolve("x")).doesNotExist();
        assertThat(root.resolve("z")).doesNotExist();
        assertThat(root.resolve("opt/legacy/empty")).doesNotExist();
    }

    @Test
    void symbolicLinks() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN mkdir -p /usr/local/bin && ln -s /opt/flink/bin/flink /usr/local/bin/flink "
                + "&& ln -sf /opt/flink/conf /etc/flink && ln -s ../flink-dist-1.18.1.jar /opt/flink/lib/dist.jar && ln -sfn /tmp /etc/flink\n");
        assertThat(node(root.resolve("usr/local/bin/flink"))).isEqualTo("l 777 0:0 -> /opt/flink/bin/flink");
        assertThat(node(root.resolve("etc/flink"))).isEqualTo("l 777 0:0 -> /tmp");
        assertThat(node(root.resolve("opt/flink/lib/dist.jar"))).isEqualTo("l 777 0:0 -> ../flink-dist-1.18.1.jar");
    }

    @Test
    void hardLinksBetweenFilesTheBuildWrote() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN echo data > /opt/a && ln /opt/a /opt/b\n");
        assertThat(root.resolve("opt/b")).hasContent("data");
        assertThat(Files.getAttribute(root.resolve("opt/a"), "unix:ino", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(root.resolve("opt/b"), "unix:ino", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void chmodOctalAndSymbolicCopiesBaseFilesUp() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN chmod +x /opt/flink/conf/flink-conf.yaml && chmod 0600 /etc/timezone "
                + "&& chmod -R g+w,o-rx /opt/flink/log && chmod u+s,o-r /opt/flink/bin/flink && chmod go= /opt/legacy\n");
        assertThat(node(root.resolve("opt/flink/conf/flink-conf.yaml"))).isEqualTo("f 755 9999:9999");
        assertThat(root.resolve("opt/flink/conf/flink-conf.yaml")).hasContent("jobmanager.rpc.address: localhost");
        assertThat(node(root.resolve("etc/timezone"))).isEqualTo("f 600 0:0");
        assertThat(root.resolve("etc/timezone")).hasContent("Etc/UTC");
        assertThat(node(root.resolve("opt/flink/log"))).isEqualTo("d 770 9999:9999");
        assertThat(node(root.resolve("opt/flink/bin/flink"))).isEqualTo("f 4751 9999:9999");
        assertThat(node(root.resolve("opt/legacy"))).isEqualTo("d 700 0:0");
    }

    @Test
    void execFormChmod() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN [\"chmod\", \"+x\", \"/opt/flink/conf/flink-conf.yaml\"]\n");
        assertThat(node(root.resolve("opt/flink/conf/flink-conf.yaml"))).isEqualTo("f 755 9999:9999");
    }

    @Test
    void chownAndChgrpByNameAndNumber() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN chown -R flink:flink /opt/legacy && chgrp admins /etc/timezone && chown 1001: /tmp "
                + "&& chown :3000 /opt/flink/conf\n");
        assertThat(node(root.resolve("opt/legacy/sub/old.txt"))).isEqualTo("f 644 9999:9999");
        assertThat(node(root.resolve("opt/legacy"))).isEqualTo("d 755 9999:9999");
        assertThat(node(root.resolve("etc/timezone"))).isEqualTo("f 644 0:3000");
        assertThat(node(root.resolve("tmp"))).isEqualTo("d 1777 1001:1001");
        assertThat(node(root.resolve("opt/flink/conf"))).isEqualTo("d 755 9999:3000");
    }

    @Test
    void echoAndPrintfIntoFiles() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN echo \"Asia/Shanghai\" > /etc/timezone && printf '%s=%s\\n' a 1 b 2 > /opt/app.properties "
                + "&& echo more   words >> /opt/app.properties && printf 'tab\\there\\\\\\n' >> /opt/app.properties && : > /opt/empty\n");
        assertThat(root.resolve("etc/timezone")).hasContent("Asia/Shanghai");
        assertThat(Files.readString(root.resolve("opt/app.properties"))).isEqualTo("a=1\nb=2\nmore words\ntab\there\\\n");
        assertThat(node(root.resolve("opt/app.properties"))).isEqualTo("f 644 0:0");
        assertThat(root.resolve("opt/empty")).isEmptyFile();
    }

    @Test
    void touchCreatesMissingFilesOnly() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN touch /opt/flink/log/.keep /opt/flink/conf/flink-conf.yaml && touch -c /opt/none\n");
        assertThat(node(root.resolve("opt/flink/log/.keep"))).isEqualTo("f 644 0:0");
        assertThat(root.resolve("opt/none")).doesNotExist();
        assertThat(root.resolve("opt/flink/conf/flink-conf.yaml")).hasContent("jobmanager.rpc.address: localhost");
    }

    @Test
    void cpAndMvOfBasePaths() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN cp /opt/flink/conf/flink-conf.yaml /opt/flink/conf/flink-conf.yaml.orig "
                + "&& cp -r /opt/flink/conf /opt/conf-copy && cp -a /opt/flink/bin /opt/bin-archive && mv /opt/legacy /opt/moved "
                + "&& cp /opt/flink/bin/flink /opt/flink/conf/flink-conf.yaml /tmp/\n");
        assertThat(node(root.resolve("opt/flink/conf/flink-conf.yaml.orig"))).isEqualTo("f 644 0:0");
        assertThat(root.resolve("opt/conf-copy/flink-conf.yaml")).hasContent("jobmanager.rpc.address: localhost");
        assertThat(node(root.resolve("opt/conf-copy"))).isEqualTo("d 755 0:0");
        assertThat(node(root.resolve("opt/bin-archive/flink"))).isEqualTo("f 755 9999:9999");
        assertThat(root.resolve("opt/legacy")).doesNotExist();
        assertThat(root.resolve("opt/moved/sub/old.txt")).hasContent("old");
        assertThat(node(root.resolve("tmp/flink"))).isEqualTo("f 755 0:0");
    }

    @Test
    void quotingAndVariablesFromEnvArgAndTheBase() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nENV APP_DIR=\"/opt/my app\"\nARG JOB=orders\n"
                + "RUN mkdir -p \"$APP_DIR/${JOB}\" '/opt/$literal' && echo \"${MISSING:-default} $JOB\" in $FLINK_HOME > \"$APP_DIR/$JOB/info\"\n");
        assertThat(root.resolve("opt/my app/orders/info")).hasContent("default orders in /opt/flink");
        assertThat(root.resolve("opt/$literal")).isDirectory();
    }

    @Test
    void globsMatchTheImagesTree() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN rm /opt/flink/lib/flink-connector-*.jar && cp /opt/flink/conf/*.yaml /tmp/ && echo [none]* > /opt/nomatch\n");
        assertThat(root.resolve("opt/flink/lib/flink-connector-kafka-1.17.jar")).doesNotExist();
        assertThat(root.resolve("tmp/flink-conf.yaml")).exists();
        assertThat(root.resolve("opt/nomatch")).hasContent("[none]*");
    }

    @Test
    void aSemicolonGoesOnAfterAFailure() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN rm /missing; mkdir /after\n");
        assertThat(root.resolve("after")).isDirectory();
    }

    @Test
    void continuationLinesAndComments() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN mkdir -p /a \\\n  # a comment line\n  && touch /a/b \\\n  && chmod 600 /a/b # trailing comment\n");
        assertThat(node(root.resolve("a/b"))).isEqualTo("f 600 0:0");
    }

    @Test
    void userBeforeRunOwnsWhatItMakes() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nUSER flink\nRUN mkdir -p /opt/flink/usrlib && echo x > /opt/flink/usrlib/note && cp /etc/timezone /opt/flink/\n");
        assertThat(node(root.resolve("opt/flink/usrlib"))).isEqualTo("d 755 9999:9999");
        assertThat(node(root.resolve("opt/flink/usrlib/note"))).isEqualTo("f 644 9999:9999");
        assertThat(node(root.resolve("opt/flink/timezone"))).isEqualTo("f 644 9999:9999");
    }

    @Test
    void copyChownByName() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nCOPY --chown=flink:admins job.jar /opt/job.jar\nCOPY --chown=ops conf /opt/conf/\n",
                Map.of("job.jar", "j", "conf/a.yaml", "a"));
        assertThat(node(root.resolve("opt/job.jar"))).isEqualTo("f 644 9999:3000");
        assertThat(node(root.resolve("opt/conf/a.yaml"))).isEqualTo("f 644 1001:1001");
    }

    @Test
    void runOnFilesTheBuildCopiedNeverReadsTheBase() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nCOPY run.sh /opt/app/run.sh\nRUN chmod +x /opt/app/run.sh && chown 9999:9999 /opt/app/run.sh "
                + "&& echo 'exec \"$@\"' >> /opt/app/run.sh\n",
                Map.of("run.sh", "#!/bin/sh\n"));
        assertThat(node(root.resolve("opt/app/run.sh"))).isEqualTo("f 755 9999:9999");
        assertThat(root.resolve("opt/app/run.sh")).hasContent("#!/bin/sh\nexec \"$@\"");
        assertThat(tmp.resolve("cache/store/layer-index")).as("no base layer read").doesNotExist();
    }

    @Test
    void aBuildWithoutRunOrNamesNeverReadsTheBase() throws IOException {
        cases().build("FROM {{BASE}}\nCOPY --chown=9999:9999 job.jar /opt/flink/usrlib/job.jar\n", Map.of("job.jar", "j"));
        assertThat(tmp.resolve("cache/store/layer-index")).doesNotExist();
    }

    @Test
    void cdAndRelativePathsFollowWorkdir() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nWORKDIR /opt/flink\nRUN cd lib && rm flink-connector-kafka-1.17.jar && cd .. && ln -s lib/flink-dist-1.18.1.jar dist.jar\n");
        assertThat(root.resolve("opt/flink/lib/flink-connector-kafka-1.17.jar")).doesNotExist();
        assertThat(node(root.resolve("opt/flink/dist.jar"))).isEqualTo("l 777 0:0 -> lib/flink-dist-1.18.1.jar");
    }

    @Test
    void setEAndShellExecForm() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN set -e; mkdir /s\nRUN [\"/bin/sh\", \"-c\", \"touch /s/t && chmod 640 /s/t\"]\n");
        assertThat(node(root.resolve("s/t"))).isEqualTo("f 640 0:0");
    }

    @Test
    void anEarlierRunsAccountsServeALaterChown() throws IOException {
        Path root = rootfs("FROM {{BASE}}\nRUN echo 'app:x:2000:2000::/app:/bin/sh' >> /etc/passwd && echo 'app:x:2000:' >> /etc/group\n"
                + "RUN mkdir /app && chown app:app /app\nUSER app\nRUN touch /app/mine\n");
        assertThat(node(root.resolve("app"))).isEqualTo("d 755 2000:2000");
        assertThat(node(root.resolve("app/mine"))).isEqualTo("f 644 2000:2000");
    }

    @Test
    void theSameInputsGiveTheSameImage() throws IOException {
        String dockerfile = "FROM {{BASE}}\nRUN mkdir -p /opt/x && echo a > /opt/x/a && chmod 700 /opt/x && rm /etc/timezone\n";
        cases().build(dockerfile, Map.of());
        String first = Files.readString(tmp.resolve("layout/index.json"));
        BuildSupport.deleteTree(tmp.resolve("cache"));
        cases().build(dockerfile, Map.of());
        assertThat(Files.readString(tmp.resolve("layout/index.json"))).isEqualTo(first);
    }

    @Test
    void aNewJobJarRebuildsWithOneChangedLayer() throws IOException {
        String template = "FROM {{BASE}}\nRUN mkdir -p $FLINK_HOME/usrlib\nCOPY lib $FLINK_HOME/lib/\nCOPY job.jar $FLINK_HOME/usrlib/job.jar\n";
        cases().build(template, Map.of("job.jar", "job v1", "lib/connector.jar", "connector"));
        List<String> first = layerDigests();
        cases().build(template, Map.of("job.jar", "job v2", "lib/connector.jar", "connector"));
        List<String> second = layerDigests();
        assertThat(second).hasSameSizeAs(first);
        assertThat(second.subList(0, second.size() - 1)).as("base, RUN and lib layers unchanged").isEqualTo(first.subList(0, first.size() - 1));
        assertThat(second.get(second.size() - 1)).isNotEqualTo(first.get(first.size() - 1));
    }

    private List<String> layerDigests() throws IOException {
        var index = BuildSupport.json(Files.readString(tmp.resolve("layout/index.json")));
        String manifest = index.get("manifests").get(0).get("digest").asText().substring(7);
        return BuildSupport.layerDigests(BuildSupport.json(Files.readString(tmp.resolve("layout/blobs/sha256/" + manifest))));
    }

    @Test
    void aWarmBuildReadsNoBaseLayerAgain() throws IOException {
        cases().build("FROM {{BASE}}\nRUN rm /opt/flink/lib/flink-connector-kafka-1.17.jar\n", Map.of());
        Path indexes = tmp.resolve("cache/store/layer-index");
        Map<Path, Object> stamps = new java.util.HashMap<>();
        try (var files = Files.list(indexes)) {
            for (Path index : files.toList()) {
                stamps.put(index, Files.getAttribute(index, "unix:ctime"));
            }
        }
        assertThat(stamps).as("one index per base layer").hasSize(REGISTRY.shellBase().layers().size());
        cases().build("FROM {{BASE}}\nRUN chmod -R o-rwx /opt/flink && mkdir -p /opt/flink/usrlib\n", Map.of());
        try (var files = Files.list(indexes)) {
            assertThat(files.toList()).containsExactlyInAnyOrderElementsOf(stamps.keySet());
        }
        for (Map.Entry<Path, Object> stamp : stamps.entrySet()) {
            assertThat(Files.getAttribute(stamp.getKey(), "unix:ctime")).as("index kept, not rebuilt").isEqualTo(stamp.getValue());
        }
    }
}
