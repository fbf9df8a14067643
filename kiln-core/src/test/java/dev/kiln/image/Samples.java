package dev.kiln.image;

import java.nio.charset.StandardCharsets;

/** Realistic image documents, shaped like what Docker Hub, GHCR and BuildKit serve. */
final class Samples {
    static final String AMD64 = "sha256:18a549f7a09e210d1b0fea2c1e671bd4b07b04ca840e18054701ddc410fd661e";
    static final String ARM64 = "sha256:8e7bbfbd93d2603dd508963c49e0addba874e02446ef08d9bc36485b95677b0d";
    static final String ARM_V7 = "sha256:93bde6c0849bd883d12f3cff5ab93cf16cf5e8d30c1fe225ead0a234084d7396";
    static final String PPC64LE = "sha256:6ff39ad64fc78addfe205e809111bee54caf0f35447e077658ed3c9b7025c3af";
    static final String ATTESTATION_AMD64 = "sha256:9c6bd5496b74c574d1efe05bb58297d3de62c21f0d778ec2d05d2b2b81fe4eaf";
    static final String ATTESTATION_ARM64 = "sha256:7a5534a3f42a4adb02016ec0e3730ff5c51a54f2889eefb653b7f8de6774dedd";
    static final String CONFIG = "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0";
    static final String LAYER1 = "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740";
    static final String LAYER2 = "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041";
    static final String LAYER3 = "sha256:10dacdccfe877dc064d57442e6fa7a4e3085dc94e11a29819c2290fc3d788724";

    /** An OCI index as BuildKit pushes official images today: images plus unknown/unknown attestations. */
    static final String OCI_INDEX_WITH_ATTESTATIONS = """
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.index.v1+json",
              "manifests": [
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "%1$s",
                  "size": 2284,
                  "annotations": {
                    "com.docker.official-images.bashbrew.arch": "amd64",
                    "org.opencontainers.image.base.name": "eclipse-temurin:17-jre-jammy",
                    "org.opencontainers.image.created": "2024-06-18T20:06:43Z",
                    "org.opencontainers.image.version": "1.18.1-scala_2.12-java17"
                  },
                  "platform": { "architecture": "amd64", "os": "linux" }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "%2$s",
                  "size": 840,
                  "annotations": {
                    "com.docker.official-images.bashbrew.arch": "amd64",
                    "vnd.docker.reference.digest": "%1$s",
                    "vnd.docker.reference.type": "attestation-manifest"
                  },
                  "platform": { "architecture": "unknown", "os": "unknown" }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "%3$s",
                  "size": 2284,
                  "annotations": { "com.docker.official-images.bashbrew.arch": "arm64v8" },
                  "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "%4$s",
                  "size": 840,
                  "annotations": {
                    "vnd.docker.reference.digest": "%3$s",
                    "vnd.docker.reference.type": "attestation-manifest"
                  },
                  "platform": { "architecture": "unknown", "os": "unknown" }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "%5$s",
                  "size": 2284,
                  "platform": { "architecture": "arm", "os": "linux", "variant": "v7" }
                }
              ]
            }
            """.formatted(AMD64, ATTESTATION_AMD64, ARM64, ATTESTATION_ARM64, ARM_V7);

    /** A Docker manifest list as older official images (flink:1.18 style) were pushed. */
    static final String DOCKER_MANIFEST_LIST = """
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
               "manifests": [
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 2412,
                     "digest": "%1$s",
                     "platform": {
                        "architecture": "amd64",
                        "os": "linux"
                     }
                  },
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 2412,
                     "digest": "%2$s",
                     "platform": {
                        "architecture": "arm64",
                        "os": "linux",
                        "variant": "v8"
                     }
                  },
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 2412,
                     "digest": "%3$s",
                     "platform": {
                        "architecture": "ppc64le",
                        "os": "linux"
                     }
                  }
               ]
            }""".formatted(AMD64, ARM64, PPC64LE);

    /** A Docker schema 2 image manifest. */
    static final String DOCKER_MANIFEST = """
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
               "config": {
                  "mediaType": "application/vnd.docker.container.image.v1+json",
                  "size": 9384,
                  "digest": "%1$s"
               },
               "layers": [
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 29538961,
                     "digest": "%2$s"
                  },
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 16930468,
                     "digest": "%3$s"
                  },
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 47326143,
                     "digest": "%4$s"
                  }
               ]
            }""".formatted(CONFIG, LAYER1, LAYER2, LAYER3);

    /** An OCI image manifest with annotations, as BuildKit pushes it. */
    static final String OCI_MANIFEST = """
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "%1$s",
                "size": 7023
              },
              "layers": [
                {
                  "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": "%2$s",
                  "size": 29538961
                },
                {
                  "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": "%3$s",
                  "size": 16930468,
                  "annotations": { "org.opencontainers.image.title": "layer.tar.gz" }
                }
              ],
              "annotations": {
                "com.docker.official-images.bashbrew.arch": "amd64",
                "org.opencontainers.image.base.digest": "%4$s",
                "org.opencontainers.image.base.name": "eclipse-temurin:17-jre-jammy",
                "org.opencontainers.image.created": "2024-06-18T20:06:43Z",
                "org.opencontainers.image.revision": "4fb23af1c2f6d2c7b6b0ae8cdb3c8d9bbdd1d3f4",
                "org.opencontainers.image.source": "https://github.com/apache/flink-docker.git",
                "org.opencontainers.image.version": "1.18.1-scala_2.12-java17"
              }
            }
            """.formatted(CONFIG, LAYER1, LAYER2, LAYER3);

    /** A Docker image config (container image v1) of a Flink-like image. */
    static final String DOCKER_CONFIG = """
            {
              "architecture": "arm64",
              "variant": "v8",
              "os": "linux",
              "created": "2024-06-18T20:06:43.123456789Z",
              "author": "Apache Flink",
              "config": {
                "User": "flink",
                "Env": [
                  "PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "JAVA_HOME=/opt/java/openjdk",
                  "FLINK_HOME=/opt/flink"
                ],
                "Entrypoint": ["/docker-entrypoint.sh"],
                "Cmd": ["help"],
                "WorkingDir": "/opt/flink",
                "Labels": {
                  "org.opencontainers.image.ref.name": "ubuntu",
                  "org.opencontainers.image.version": "22.04"
                },
                "ExposedPorts": { "6123/tcp": {}, "8081/tcp": {} },
                "Volumes": null,
                "StopSignal": "SIGTERM",
                "OnBuild": null,
                "ArgsEscaped": true
              },
              "container_config": { "Hostname": "", "Cmd": ["/bin/sh"] },
              "docker_version": "24.0.7",
              "rootfs": {
                "type": "layers",
                "diff_ids": [
                  "%1$s",
                  "%2$s",
                  "%3$s"
                ]
              },
              "history": [
                {
                  "created": "2024-06-01T10:00:00Z",
                  "created_by": "/bin/sh -c #(nop) ADD file:5b1d9a1c in / "
                },
                {
                  "created": "2024-06-01T10:00:01Z",
                  "created_by": "/bin/sh -c #(nop)  CMD [\\"/bin/bash\\"]",
                  "empty_layer": true
                },
                {
                  "created": "2024-06-18T20:06:40Z",
                  "created_by": "RUN /bin/sh -c set -ex; apt-get update # buildkit",
                  "comment": "buildkit.dockerfile.v0"
                },
                {
                  "created": "2024-06-18T20:06:42Z",
                  "created_by": "ENV FLINK_HOME=/opt/flink",
                  "comment": "buildkit.dockerfile.v0",
                  "empty_layer": true
                },
                {
                  "created": "2024-06-18T20:06:43Z",
                  "created_by": "COPY docker-entrypoint.sh / # buildkit",
                  "comment": "buildkit.dockerfile.v0"
                }
              ]
            }
            """.formatted(LAYER1, LAYER2, LAYER3);

    /** A schema 1 manifest (signed, "fsLayers"), long deprecated. */
    static final String SCHEMA1 = """
            {
               "schemaVersion": 1,
               "name": "library/flink",
               "tag": "1.4",
               "architecture": "amd64",
               "fsLayers": [ { "blobSum": "%1$s" } ],
               "history": [ { "v1Compatibility": "{}" } ],
               "signatures": []
            }""".formatted(LAYER1);

    private Samples() {
    }

    static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
