package dev.kiln.internal.layer;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.MediaTypes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerSourceTest {
    @Test
    void ownerDefaultsToRoot() {
        LayerSource source = new LayerSource(Path.of("build/app"), "/opt/app", null, null);

        assertThat(source.uid()).isZero();
        assertThat(source.gid()).isZero();
        assertThat(new LayerSource(Path.of("build/app"), "/opt/app")).isEqualTo(source);
    }

    @Test
    void aRelativeDestinationIsRefused() {
        assertThatThrownBy(() -> new LayerSource(Path.of("app"), "opt/app"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("destination 'opt/app' must be an absolute path");
        assertThatThrownBy(() -> new LayerSource(Path.of("app"), ""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("destination '' must be an absolute path");
    }

    @Test
    void negativeOwnersAreRefused() {
        assertThatThrownBy(() -> new LayerSource(Path.of("app"), "/app", -1, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("-1:0");
    }

    @Test
    void parsesAddSpecs() {
        assertThat(LayerSource.parse("build/libs/job.jar:/opt/flink/usrlib/"))
                .isEqualTo(new LayerSource(Path.of("build/libs/job.jar"), "/opt/flink/usrlib/", 0, 0));
        assertThat(LayerSource.parse("conf:/opt/flink/conf:9999:9998"))
                .isEqualTo(new LayerSource(Path.of("conf"), "/opt/flink/conf", 9999, 9998));
        assertThat(LayerSource.parse("C:dir:/opt/x").source()).isEqualTo(Path.of("C:dir"));
        assertThatThrownBy(() -> LayerSource.parse("job.jar"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid layer source 'job.jar': expected SRC:DEST or SRC:DEST:UID:GID");
        assertThatThrownBy(() -> LayerSource.parse("job.jar:usrlib"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("destination 'usrlib' must be an absolute path");
        assertThatThrownBy(() -> LayerSource.parse("job.jar:/x:99999999999:0"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("uid and gid");
    }

    @Test
    void destinationsNormalize() {
        assertThat(new LayerSource(Path.of("a"), "//opt/./flink/../app/").destinationComponents()).containsExactly("opt", "app");
        assertThat(new LayerSource(Path.of("a"), "/../..").destinationComponents()).isEmpty();
        assertThat(new LayerSource(Path.of("a"), "/opt/app/").destinationIsDirectory()).isTrue();
        assertThat(new LayerSource(Path.of("a"), "/opt/app/.").destinationIsDirectory()).isTrue();
        assertThat(new LayerSource(Path.of("a"), "/").destinationIsDirectory()).isTrue();
        assertThat(new LayerSource(Path.of("a"), "/opt/app").destinationIsDirectory()).isFalse();
    }

    @Test
    void compressionParsesAndNamesItsMediaType() {
        assertThat(Compression.parse("gzip")).isEqualTo(Compression.GZIP);
        assertThat(Compression.parse("ZSTD")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.GZIP.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
        assertThat(Compression.ZSTD.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
        assertThatThrownBy(() -> Compression.parse("lz4"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("unknown compression 'lz4': expected gzip or zstd");
    }
}
