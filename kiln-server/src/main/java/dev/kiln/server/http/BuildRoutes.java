package dev.kiln.server.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.server.auth.Principal;
import dev.kiln.server.auth.Role;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.Job;
import dev.kiln.server.builds.Submissions;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.BuildStatus;
import dev.kiln.server.history.History;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The builds API: submit, list, show, cancel, and the live events. */
public record BuildRoutes(BuildService service, Submissions submissions, History history) {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 1000;


    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.post("/api/v1/builds", this::submit, Role.BUILD);
        app.get("/api/v1/builds", this::list, Role.READ);
        app.get("/api/v1/builds/changes", ctx -> EventStream.serveChanges(ctx, history), Role.READ);
        app.get("/api/v1/builds/{id}", this::show, Role.READ);
        app.post("/api/v1/builds/{id}/cancel", this::cancel, Role.BUILD);
        app.get("/api/v1/builds/{id}/events", ctx -> EventStream.serve(ctx, service, history), Role.READ);
    }

    private void submit(Context ctx) {
        Principal principal = Routes.principal(ctx);
        Job job = submissions.submit(ctx.req(), principal.name());
        ctx.status(202).header("Location", "/api/v1/builds/" + job.id()).json(Map.of("id", job.id()));
    }

    private void list(Context ctx) {
        String status = ctx.queryParam("status");
        if (status != null && BuildStatus.of(status).isEmpty()) {
            String known = String.join(", ", Arrays.stream(BuildStatus.values()).map(BuildStatus::wire).sorted().toList());
            throw ApiException.badRequest("status must be one of " + known + ", not " + status);
        }
        int limit = Routes.intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Long before = Routes.timeParam(ctx, "before");
        List<BuildView> builds = history.list(status, before, limit).stream().map(BuildView::of).toList();
        ctx.json(Map.of("builds", builds));
    }

    private void show(Context ctx) {
        String id = ctx.pathParam("id");
        BuildRecord build = history.find(id).orElseThrow(() -> ApiException.notFound("no build " + id));
        ctx.json(new FullView(BuildView.of(build), tree(build.request()), tree(build.result())));
    }

    private void cancel(Context ctx) {
        String id = ctx.pathParam("id");
        BuildRecord build = history.find(id).orElseThrow(() -> ApiException.notFound("no build " + id));
        if (build.finished()) {
            throw new ApiException(409, "build " + id + " is already " + build.status());
        }
        if (!service.cancel(id)) {
            throw new ApiException(409, "build " + id + " runs on replica " + build.replica() + ", or has just ended: cancel it there");
        }
        ctx.status(202).json(Map.of("id", id, "cancelling", true));
    }

    /** A build as the API lists it. */
    record BuildView(String id, String kind, String status, String submitter, String to, String replica, Instant submittedAt,
                     Instant startedAt, Instant finishedAt, String error, String image, String digest, String base, String cacheLevel,
                     Long bytesDownloaded, Long bytesUploaded, Long bytesSaved) {
        static BuildView of(BuildRecord b) {
            return new BuildView(b.id(), b.kind(), b.status(), b.submitter(), b.target(), b.replica(), Instant.ofEpochMilli(b.submittedAt()),
                    instant(b.startedAt()), instant(b.finishedAt()), b.error(), b.image(), b.digest(), baseReference(b), b.cacheLevel(),
                    b.bytesDownloaded(), b.bytesUploaded(), b.bytesSaved());
        }

        private static Instant instant(Long epochMillis) {
            return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
        }
    }

    /** A build as the API shows it alone: with its request and result. */
    record FullView(@JsonUnwrapped BuildView build, JsonNode request, JsonNode result) {
    }

    /** The reference of the base a finished build used (a Flink build's result holds it under {@code build}); {@code null} if none. */
    static String baseReference(BuildRecord b) {
        JsonNode result = tree(b.result());
        if (result == null) {
            return null;
        }
        JsonNode base = result.has("build") ? result.path("build").path("base") : result.path("base");
        return base.path("reference").isTextual() ? base.path("reference").asText() : null;
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the history holds malformed JSON", e);
        }
    }
}
