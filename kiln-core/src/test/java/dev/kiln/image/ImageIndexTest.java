package dev.kiln.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.kiln.image.Samples.bytes;
import static org.assertj.core.api.Assertions.assertThat;

class ImageIndexTest {
    private static ImageIndex ociIndex() {
        return ImageJson.read(bytes(Samples.OCI_INDEX_WITH_ATTESTATIONS), ImageIndex.class, "index");
    }

    private static ImageIndex dockerList() {
        return ImageJson.read(bytes(Samples.DOCKER_MANIFEST_LIST), ImageIndex.class, "index");
    }

    @Test
    void parsesEveryEntryWithItsFields() {
        ImageIndex index = ociIndex();

        assertThat(index.schemaVersion()).isEqualTo(2);
        assertThat(index.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(index.manifests()).hasSize(5);
        Descriptor first = index.manifests().get(0);
        assertThat(first.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(first.digest()).isEqualTo(Digest.parse(Samples.AMD64));
        assertThat(first.size()).isEqualTo(2284);
        assertThat(first.platform()).isEqualTo(Platform.of("linux", "amd64", null));
        assertThat(first.annotations()).containsEntry("org.opencontainers.image.version", "1.18.1-scala_2.12-java17");
        assertThat(index.manifests().get(1).annotations())
                .containsEntry("vnd.docker.reference.type", "attestation-manifest");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "linux/amd64,    " + Samples.AMD64,
            "linux/x86_64,   " + Samples.AMD64,
            "linux/arm64,    " + Samples.ARM64,
            "linux/arm64/v8, " + Samples.ARM64,
            "linux/aarch64,  " + Samples.ARM64,
            "linux/arm/v7,   " + Samples.ARM_V7,
            "linux/arm,      " + Samples.ARM_V7,
    })
    void selectsThePlatformsImage(String platform, String expectedDigest) {
        Optional<Descriptor> selected = ociIndex().select(Platform.parse(platform));

        assertThat(selected).isPresent();
        assertThat(selected.get().digest()).isEqualTo(Digest.parse(expectedDigest));
        assertThat(selected.get().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux/arm/v6", "linux/ppc64le", "linux/s390x", "windows/amd64", "linux/amd64/v2", "linux/386"})
    void absentPlatformSelectsNothing(String platform) {
        assertThat(ociIndex().select(Platform.parse(platform))).isEmpty();
    }

    @Test
    void neverSelectsAttestationsEvenWhenAskedForTheirPlatform() {
        ImageIndex index = ociIndex();

        assertThat(index.select(Platform.of("unknown", "unknown", null))).isEmpty();
        assertThat(index.select(new Platform("unknown", "unknown", null, null, null))).isEmpty();
    }

    @Test
    void neverSelectsAnAnnotatedAttestationWhosePlatformLooksReal() {
        // some tools copy the subject's platform onto the attestation; the annotation alone must exclude it
        Descriptor attestation = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.ATTESTATION_AMD64), 840,
                Platform.of("linux", "amd64", null),
                Map.of("vnd.docker.reference.type", "attestation-manifest",
                        "vnd.docker.reference.digest", Samples.AMD64), null, null);
        Descriptor image = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.AMD64), 2284)
                .withPlatform(Platform.of("linux", "amd64", null));

        ImageIndex attestationFirst = new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(attestation, image), null);
        ImageIndex onlyAttestation = new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(attestation), null);

        assertThat(attestationFirst.select(Platform.parse("linux/amd64"))).contains(image);
        assertThat(onlyAttestation.select(Platform.parse("linux/amd64"))).isEmpty();
        assertThat(onlyAttestation.platforms()).isEmpty();
    }

    @Test
    void skipsEntriesWithoutPlatformOrWithNonImageMediaTypes() {
        Descriptor noPlatform = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(Samples.AMD64), 1);
        Descriptor layerLike = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.parse(Samples.LAYER1), 1)
                .withPlatform(Platform.of("linux", "amd64", null));
        Descriptor schema1 = Descriptor.of(MediaTypes.DOCKER_SCHEMA1_SIGNED, Digest.parse(Samples.LAYER2), 1)
                .withPlatform(Platform.of("linux", "amd64", null));

        ImageIndex index = new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(noPlatform, layerLike, schema1), null);

        assertThat(index.select(Platform.parse("linux/amd64"))).isEmpty();
        assertThat(index.images()).isEmpty();
    }

    @Test
    void platformsListsOnlyImages() {
        List<Platform> platforms = ociIndex().platforms();

        assertThat(platforms).containsExactly(
                Platform.of("linux", "amd64", null),
                Platform.of("linux", "arm64", "v8"),
                Platform.of("linux", "arm", "v7"));
        assertThat(platforms).noneMatch(Platform::isUnknown);
        assertThat(ociIndex().images()).extracting(Descriptor::digest)
                .containsExactly(Digest.parse(Samples.AMD64), Digest.parse(Samples.ARM64), Digest.parse(Samples.ARM_V7));
    }

    @Test
    void selectsFromADockerManifestList() {
        ImageIndex list = dockerList();

        assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
        assertThat(list.select(Platform.parse("linux/arm64"))).map(Descriptor::digest)
                .contains(Digest.parse(Samples.ARM64));
        assertThat(list.select(Platform.parse("linux/ppc64le"))).map(Descriptor::digest)
                .contains(Digest.parse(Samples.PPC64LE));
        assertThat(list.select(Platform.parse("linux/arm/v7"))).isEmpty();
        assertThat(list.platforms()).extracting(Platform::toString)
                .containsExactly("linux/amd64", "linux/arm64/v8", "linux/ppc64le");
    }

    @Test
    void emptyIndexSelectsNothing() {
        ImageIndex empty = new ImageIndex(2, MediaTypes.OCI_INDEX, null, null);

        assertThat(empty.manifests()).isEmpty();
        assertThat(empty.annotations()).isEmpty();
        assertThat(empty.select(Platform.parse("linux/amd64"))).isEmpty();
        assertThat(empty.platforms()).isEmpty();
    }

    @Test
    void serializesWithoutOptionalEmptyFieldsAndReadsBack() {
        ImageIndex index = ociIndex();

        ImageIndex back = ImageJson.read(ImageJson.write(index), ImageIndex.class, "index");

        assertThat(back).isEqualTo(index);
        assertThat(new String(ImageJson.write(new ImageIndex(2, MediaTypes.OCI_INDEX, null, null))))
                .isEqualTo("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}");
    }
}
