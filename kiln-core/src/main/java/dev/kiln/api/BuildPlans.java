package dev.kiln.api;

import dev.kiln.internal.build.BuildRunner;
import dev.kiln.internal.build.BuildSpec;
import dev.kiln.internal.build.ConfigChanges;
import dev.kiln.internal.build.Recipe;
import dev.kiln.internal.dockerfile.DockerfileBuild;
import dev.kiln.internal.dockerfile.DockerfileRecipe;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.Platform;
import dev.kiln.image.Reference;
import dev.kiln.internal.layer.Compression;
import dev.kiln.internal.layer.LayerSource;
import dev.kiln.internal.resolve.PullSpec;
import dev.kiln.internal.resolve.RegistryRules;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Requests made into what the engine runs: pull specs, and per platform a {@link BuildRunner.Part}
 * (base, freshness, compression, time and the recipe). What a request leaves open comes from the
 * base registry's rules.
 */
final class BuildPlans {
    private final RegistryRules rules;

    BuildPlans(RegistryRules rules) {
        this.rules = rules;
    }

    PullSpec pull(PullRequest request) {
        Reference ref = Reference.parse(request.image());
        Platform platform = request.platform() == null ? Platform.host() : Platform.parse(request.platform());
        RegistryRules.Freshness fresh = freshness(ref, request.freshness());
        return new PullSpec(ref, platform, fresh.policy(), fresh.maxAge(), request.verify(), fresh.staleness());
    }

    /** A build of explicit layers and config changes: the recipe packs them while the base resolves. */
    Function<Platform, BuildRunner.Part> layers(BuildRequest request) {
        if (request.dockerfile() != null) {
            return dockerfile(request);
        }
        Reference base = request.base() == null ? null : Reference.parse(request.base());
        Recipe recipe = Recipe.layers(request.layers().stream().map(a -> new LayerSource(a.source(), a.destination(), a.uid(), a.gid()))
                .toList(), changes(request));
        return platform -> new BuildRunner.Part(spec(base, platform, request), recipe);
    }

    /**
     * A Dockerfile build: read for each platform first (unsupported instructions, undeclared build
     * arguments and syntax errors fail before any request); the request's settings apply on top.
     */
    private Function<Platform, BuildRunner.Part> dockerfile(BuildRequest request) {
        ConfigChanges over = changes(request);
        return platform -> {
            DockerfileBuild file = DockerfileBuild.read(request.dockerfile(), request.context(), request.buildArgs(), platform,
                    DockerfileBuild.runsAllowed(request.run()));
            DockerfileBuild.From from = file.from();
            Reference base = from.base() == null ? null : Reference.parse(from.base());
            return new BuildRunner.Part(spec(base, from.platform(), request), new DockerfileRecipe(file, over));
        };
    }

    private static ConfigChanges changes(BuildRequest request) {
        return new ConfigChanges(request.env(), request.entrypoint(), request.cmd(), request.workingDir(),
                request.user(), request.labels(), request.exposedPorts());
    }

    /** One platform's build of {@code base} (null: scratch) under the request's freshness; the recipe adds the rest. */
    BuildSpec spec(Reference base, Platform platform, ImageBuildRequest request) {
        RegistryRules.Freshness fresh = freshness(base, request.freshness());
        return new BuildSpec(base, platform, fresh.policy(), fresh.maxAge(), fresh.staleness(), List.of(), null,
                Compression.parse(request.compression()), request.time() != null ? request.time() : sourceDateEpoch(),
                request.destination().target());
    }

    /** The request's freshness, with what it leaves open taken from the image registry's rules. */
    private RegistryRules.Freshness freshness(Reference image, Freshness given) {
        return rules.freshness(image == null ? "" : image.registry(), given.policy(), given.maxAge(), given.maxStale(),
                given.staleIfError());
    }

    /** {@code SOURCE_DATE_EPOCH} (seconds), the reproducible-builds convention; else the constant default. */
    private static Instant sourceDateEpoch() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return BuildSpec.DEFAULT_TIME;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("SOURCE_DATE_EPOCH must be a number of seconds, not '" + epoch + "'");
        }
    }
}
