package dev.kiln.server.builds;

import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.event.KilnListener;

/** A checked build, ready to run on the service's {@link Kiln}. */
@FunctionalInterface
public interface Work {
    /** Runs the build, its events to {@code listener}. */
    Outcome run(Kiln kiln, KilnListener listener);

    /**
     * What a build produced.
     *
     * @param result what {@code GET /api/v1/builds/{id}} shows as the result: a {@code BuildResult}, or a
     *               {@code FlinkBuildResult} with the deployment
     * @param build  the build's own figures, for the history's columns and the metrics
     */
    record Outcome(Object result, BuildResult build) {
    }
}
