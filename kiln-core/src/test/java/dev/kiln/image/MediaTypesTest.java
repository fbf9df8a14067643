package dev.kiln.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MediaTypesTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
            // media type, index, image manifest, schema 1
            "application/vnd.oci.image.index.v1+json,                        true,  false, false",
            "application/vnd.docker.distribution.manifest.list.v2+json,      true,  false, false",
            "application/vnd.oci.image.manifest.v1+json,                     false, true,  false",
            "application/vnd.docker.distribution.manifest.v2+json,           false, true,  false",
            "application/vnd.docker.distribution.manifest.v1+prettyjws,      false, false, true",
            "application/vnd.docker.distribution.manifest.v1+json,           false, false, true",
            "application/vnd.oci.image.config.v1+json,                       false, false, false",
            "application/vnd.docker.container.image.v1+json,                 false, false, false",
            "application/vnd.oci.image.layer.v1.tar+gzip,                    false, false, false",
            "application/json,                                               false, false, false",
            "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON,                        false, false, false",
            "'',                                                             false, false, false",
    })
    void classifies(String mediaType, boolean index, boolean manifest, boolean schema1) {
        assertThat(MediaTypes.isIndex(mediaType)).isEqualTo(index);
        assertThat(MediaTypes.isImageManifest(mediaType)).isEqualTo(manifest);
        assertThat(MediaTypes.isSchema1(mediaType)).isEqualTo(schema1);
    }

    @Test
    void nullIsNothing() {
        assertThat(MediaTypes.isIndex(null)).isFalse();
        assertThat(MediaTypes.isImageManifest(null)).isFalse();
        assertThat(MediaTypes.isSchema1(null)).isFalse();
    }

    @Test
    void acceptListAsksForIndexesFirstAndNeverForSchema1() {
        assertThat(MediaTypes.MANIFEST_ACCEPT).containsExactly(
                MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST,
                MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
        assertThat(MediaTypes.MANIFEST_ACCEPT).noneMatch(MediaTypes::isSchema1);
    }

    @Test
    void constantsAreTheSpecStrings() {
        assertThat(MediaTypes.OCI_LAYER_GZIP).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
        assertThat(MediaTypes.OCI_LAYER_ZSTD).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        assertThat(MediaTypes.OCI_LAYER_TAR).isEqualTo("application/vnd.oci.image.layer.v1.tar");
        assertThat(MediaTypes.DOCKER_LAYER_GZIP).isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
        assertThat(MediaTypes.OCI_CONFIG).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(MediaTypes.DOCKER_CONFIG).isEqualTo("application/vnd.docker.container.image.v1+json");
    }
}
