package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.Reference;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkVersionTest {
    private static ImageConfig withEnv(String... env) {
        return new ImageConfig("amd64", "linux", null, null, null, null,
                new ImageConfig.RuntimeConfig(null, List.of(env), null, null, null, null, null, null, null), null, null);
    }

    @Test
    void parsesReleasesAndTheOperatorsNames() {
        assertThat(FlinkVersion.parse("1.18")).isEqualTo(new FlinkVersion(1, 18, null));
        assertThat(FlinkVersion.parse("1.18.1")).isEqualTo(new FlinkVersion(1, 18, 1));
        assertThat(FlinkVersion.parse("v1_19")).isEqualTo(new FlinkVersion(1, 19, null));
        assertThat(FlinkVersion.parse("1.18.1").operatorName()).isEqualTo("v1_18");
        assertThat(FlinkVersion.parse("1.18.1")).hasToString("1.18.1");
        assertThatThrownBy(() -> FlinkVersion.parse("eighteen")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid Flink version 'eighteen'");
    }

    @Test
    void namesTheOfficialImages() {
        assertThat(FlinkVersion.parse("1.18").officialImage(null, null)).isEqualTo(Reference.parse("flink:1.18-scala_2.12-java17"));
        assertThat(FlinkVersion.parse("1.18.1").officialImage(11, "2.12")).isEqualTo(Reference.parse("flink:1.18.1-scala_2.12-java11"));
        assertThat(FlinkVersion.parse("1.16").officialImage(null, null)).isEqualTo(Reference.parse("flink:1.16-scala_2.12-java11"));
        assertThat(FlinkVersion.parse("2.0").officialImage(21, null)).isEqualTo(Reference.parse("flink:2.0-scala_2.12-java21"));
    }

    @Test
    void refusesImagesThatDoNotExist() {
        assertThatThrownBy(() -> FlinkVersion.parse("1.9").officialImage(null, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown Flink version 1.9").hasMessageContaining("1.18");
        assertThatThrownBy(() -> FlinkVersion.parse("1.16").officialImage(17, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no Java 17").hasMessageContaining("8, 11");
        assertThatThrownBy(() -> FlinkVersion.parse("1.18").officialImage(null, "2.13")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Scala 2.12 only");
    }

    @Test
    void readsTheVersionOfABase() {
        Reference custom = Reference.parse("registry.example.com/platform/flink-base:prod");
        assertThat(FlinkVersion.of(custom, withEnv("FLINK_VERSION=1.19.2"))).contains(FlinkVersion.parse("1.19.2"));
        assertThat(FlinkVersion.of(custom, withEnv("FLINK_TGZ_URL=https://www.apache.org/dyn/closer.cgi?action=download"
                + "&filename=flink/flink-1.18.1/flink-1.18.1-bin-scala_2.12.tgz"))).contains(FlinkVersion.parse("1.18.1"));
        assertThat(FlinkVersion.of(Reference.parse("flink:1.17-java11"), withEnv())).contains(FlinkVersion.parse("1.17"));
        assertThat(FlinkVersion.of(custom, withEnv("PATH=/bin"))).isEmpty();
    }
}
