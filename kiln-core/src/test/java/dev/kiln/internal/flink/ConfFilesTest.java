package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfFilesTest {
    /** Flink before 1.19: flat, the value as written after ": ", '#' starts a comment. */
    static final String FLAT = """
            # the job's settings
            taskmanager.numberOfTaskSlots: 2
            state.backend.type: rocksdb
            state.checkpoints.dir: s3://bucket/checkpoints   # where they go
            execution.checkpointing.interval: 30 s
            taskmanager.memory.managed.fraction: 0.50
            pipeline.name: orders
            """;
    /** Flink 1.19+: standard YAML, nested keys. */
    static final String NESTED = """
            taskmanager:
              numberOfTaskSlots: 2
              memory:
                managed:
                  fraction: 0.50
            state:
              backend:
                type: rocksdb
              checkpoints.dir: s3://bucket/checkpoints   # where they go
            execution.checkpointing.interval: 30 s
            pipeline:
              name: "orders"
            """;
    static final Map<String, String> SETTINGS = Map.of("taskmanager.numberOfTaskSlots", "2", "state.backend.type", "rocksdb",
            "state.checkpoints.dir", "s3://bucket/checkpoints", "execution.checkpointing.interval", "30 s",
            "taskmanager.memory.managed.fraction", "0.50", "pipeline.name", "orders");

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aFlatAndANestedFileGiveTheSameKeysAndStringValues() throws IOException {
        ConfFiles flat = ConfFiles.read(List.of(file(ConfFiles.FLAT, FLAT)));
        ConfFiles nested = ConfFiles.read(List.of(file(ConfFiles.NESTED, NESTED)));

        assertThat(flat.settings()).containsExactlyInAnyOrderEntriesOf(SETTINGS);
        assertThat(nested.settings()).containsExactlyInAnyOrderEntriesOf(SETTINGS);
        assertThat(flat.origin("state.backend.type")).isEqualTo("flink-conf.yaml");
        assertThat(nested.origin("state.backend.type")).isEqualTo("config.yaml");
        assertThat(ConfFiles.read(List.of(file(ConfFiles.NESTED, "pipeline:\n  jars: [a.jar, b.jar]\n  classpaths:\n  - c.jar\n"))).settings())
                .as("lists in YAML's flow form, as Flink 1.19 writes them").containsEntry("pipeline.jars", "[a.jar, b.jar]")
                .containsEntry("pipeline.classpaths", "[c.jar]");
        assertThat(ConfFiles.read(List.of(file(ConfFiles.NESTED, ""))).settings()).isEmpty();
    }

    @Test
    void aFlatFileIsReadAsFlinksOwnLoaderReadsIt() throws IOException {
        String text = FLAT + "env.java.opts.all: \"-Dx=1\"  \nurl: http://host/a#fragment\nsingle: 'x'\n  indented.key:   spaced value  \n";
        Path conf = Files.createDirectories(dir.resolve("flink"));
        Files.writeString(conf.resolve(ConfFiles.FLAT), text);

        Map<String, String> flinks = org.apache.flink.configuration.GlobalConfiguration.loadConfiguration(conf.toString()).toMap();

        assertThat(ConfFiles.read(List.of(conf.resolve(ConfFiles.FLAT))).settings()).as("Flink 1.18.1's GlobalConfiguration")
                .containsExactlyInAnyOrderEntriesOf(flinks).containsEntry("url", "http://host/a").containsEntry("single", "'x'");
    }

    @Test
    void logFilesAreTheLogConfiguration() throws IOException {
        ConfFiles conf = ConfFiles.read(List.of(file("log4j-console.properties", "rootLogger.level = WARN\n"),
                file("logback-console.xml", "<configuration/>\n")));
        assertThat(conf.logConfiguration()).containsExactly(Map.entry("log4j-console.properties", "rootLogger.level = WARN\n"),
                Map.entry("logback-console.xml", "<configuration/>\n"));
        assertThat(conf.settings()).isEmpty();
        assertThat(conf.placements("/opt/flink/conf", true)).containsExactly(
                "log4j-console.properties → the FlinkDeployment's logConfiguration and /opt/flink/conf/ in the image",
                "logback-console.xml → the FlinkDeployment's logConfiguration and /opt/flink/conf/ in the image");
    }

    @Test
    void anyOtherFileIsRefusedWithTheReasonAndWhereItCanGo() throws IOException {
        Path coreSite = file("core-site.xml", "<configuration/>");
        assertThatThrownBy(() -> ConfFiles.read(List.of(coreSite))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--conf '" + coreSite + "'").hasMessageContaining("hides every other file")
                .hasMessageContaining("--add SRC:DEST with a directory outside the conf dir")
                .hasMessageContaining("--add " + coreSite + ":/opt/flink/job-conf/core-site.xml");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file("log4j.properties", "x = y"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("log4j-console.properties, logback-console.xml");
    }

    @Test
    void whatFlinkWouldSkipOrTakeSilentlyIsRefusedWithItsLine() throws IOException {
        Path both = Files.createDirectories(dir.resolve("other"));
        Path flat = file(ConfFiles.FLAT, FLAT);
        Path nested = Files.writeString(both.resolve(ConfFiles.NESTED), NESTED);
        assertThatThrownBy(() -> ConfFiles.read(List.of(flat, nested))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("both flink-conf.yaml and config.yaml");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.FLAT, "a: 1\nstate:\n  backend: rocksdb\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("flink-conf.yaml line 2: 'state:' is not 'key: value'")
                .hasMessageContaining("nested keys belong in config.yaml");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.FLAT, "a: 1\nb:2\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("line 2: 'b:2'");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.FLAT, "a: 1\n\na: 2\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("line 3: a is already set on line 1");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.NESTED, "state.backend.type: hashmap\nstate:\n  backend:\n    type: rocksdb\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("state.backend.type is set twice");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.NESTED, "a:\n  b:\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("a.b has no value");
        assertThatThrownBy(() -> ConfFiles.read(List.of(file(ConfFiles.NESTED, "- a\n- b\n"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("expected a mapping");
    }
}
