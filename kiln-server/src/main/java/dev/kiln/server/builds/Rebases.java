package dev.kiln.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.BuildResult;
import dev.kiln.api.RebaseRequest;
import dev.kiln.error.KilnException;
import dev.kiln.image.Reference;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.BuildStatus;
import dev.kiln.server.history.History;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rebases as builds of kind {@code rebase}: queued, with their own events, result and history. For an
 * image the service built as a Flink job, the result carries its {@code FlinkDeployment} with the new digest.
 *
 * @param service the service rebases are submitted to
 * @param history where the deployments of images the service built are found
 */
public record Rebases(BuildService service, History history) {
    /** How many recent builds are searched for the image's deployment. */
    private static final int SEARCHED = 500;

    /**
     * What {@code POST /api/v1/rebase} takes.
     *
     * @param image    the image Kiln built (a tag)
     * @param base     the new base; {@code null}: the old base's tag as it resolves now
     * @param to       a tag in the image's repository; {@code null}: the image's own
     * @param platform the image's platform; {@code null}: the server's
     */
    public record Spec(String image, String base, String to, String platform) {
    }

    /** Queues the rebase {@code spec} describes, submitted by {@code submitter}. */
    public Job submit(Spec spec, String submitter) {
        RebaseRequest request;
        try {
            if (spec.image() == null) {
                throw ApiException.badRequest("image: no image given");
            }
            request = RebaseRequest.builder(spec.image()).base(spec.base()).to(spec.to()).platform(spec.platform()).build();
        } catch (KilnException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String target = request.destination().imageName();
        String source = Reference.parse(spec.image()).toString();
        return service.submit("rebase", target, submitter, Json.write(spec), (kiln, listener) -> {
            BuildResult result = kiln.rebase(request, listener);
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("build", result);
            deployment(source).ifPresent(d -> outcome.put("deploymentYaml", d.yaml().replace(d.digest(), result.digest())));
            return new Work.Outcome(outcome, result);
        }, null);
    }

    private record Deployment(String yaml, String digest) {
    }

    /** The newest deployment the history has of {@code image} (a Flink build or an earlier rebase of it). */
    private Optional<Deployment> deployment(String image) {
        for (BuildRecord build : history.list(BuildStatus.SUCCEEDED.wire(), null, SEARCHED)) {
            if (build.target().equals(image) && build.result() != null && build.digest() != null) {
                JsonNode yaml = readTree(build.result()).get("deploymentYaml");
                if (yaml != null && yaml.isTextual()) {
                    return Optional.of(new Deployment(yaml.asText(), build.digest()));
                }
            }
        }
        return Optional.empty();
    }

    private static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the history holds malformed JSON", e);
        }
    }
}
