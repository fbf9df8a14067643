package dev.kiln.internal.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.Kiln;
import dev.kiln.error.InvalidInputException;
import dev.kiln.testing.RegistryFixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.kiln.internal.build.BuildSupport.json;
import static dev.kiln.internal.build.BuildSupport.kiln;
import static dev.kiln.internal.build.BuildSupport.umociUnpack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Builds Dockerfile cases for the corpus tests: {@code {{BASE}}} in the Dockerfile is the base pushed to
 * {@code registry}; the image goes to an OCI layout, its config read back and its files unpacked by umoci
 * on demand. The store lives in {@code tmp/cache}, shared by the builds of one test.
 */
record DockerfileCases(RegistryFixture registry, String baseRef, Path tmp) {
    /** A built case: its config ({@code config} of the image config) and, unpacked on demand, its files. */
    record Built(JsonNode config, Path layout) {
        Path rootfs(Path work) {
            return umociUnpack(layout, "t", work.resolve("bundle-" + System.nanoTime()));
        }
    }

    Path context(Map<String, String> files) throws IOException {
        Path context = Files.createDirectories(tmp.resolve("context"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = context.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return context;
    }

    Built build(String dockerfile, Map<String, String> files) throws IOException {
        return build(dockerfile, files, Map.of(), UnaryOperator.identity());
    }

    Built build(String dockerfile, Map<String, String> files, Map<String, String> buildArgs,
                UnaryOperator<BuildRequest.Builder> options) throws IOException {
        Path context = context(files);
        Path file = Files.writeString(tmp.resolve("Dockerfile"), dockerfile.replace("{{BASE}}", baseRef));
        Path layout = tmp.resolve("layout");
        BuildSupport.deleteTree(layout);
        BuildRequest.Builder request = BuildRequest.dockerfile(file, context).to("oci:" + layout + ":t");
        buildArgs.forEach(request::buildArg);
        try (Kiln kiln = kiln(tmp.resolve("cache"))) {
            kiln.build(options.apply(request).build());
        }
        JsonNode index = json(Files.readString(layout.resolve("index.json")));
        String manifestDigest = index.get("manifests").get(0).get("digest").asText().substring("sha256:".length());
        JsonNode manifest = json(Files.readString(layout.resolve("blobs/sha256/" + manifestDigest)));
        String configDigest = manifest.get("config").get("digest").asText().substring("sha256:".length());
        return new Built(json(Files.readString(layout.resolve("blobs/sha256/" + configDigest))).get("config"), layout);
    }

    /** The case must fail with {@code message}, and before any request to the base's registry. */
    void refused(String dockerfile, Map<String, String> files, Map<String, String> buildArgs, String message) throws IOException {
        long mark = registry.mark();
        failsPublishingNothing(dockerfile, files, buildArgs, message);
        assertThat(registry.requestsSince(mark)).as("no request before the error").isEmpty();
    }

    /** The case must fail with {@code message} and leave no image behind (inputs found wrong once the base is known). */
    void failsPublishingNothing(String dockerfile, Map<String, String> files, Map<String, String> buildArgs, String message) {
        assertThatThrownBy(() -> build(dockerfile, files, buildArgs, UnaryOperator.identity())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
        assertThat(tmp.resolve("layout")).doesNotExist();
    }
}
