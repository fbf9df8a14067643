package dev.kiln.internal.flink;

import dev.kiln.internal.build.ConfigChanges;
import dev.kiln.internal.build.Recipe;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.ImageConfig;

import java.util.List;

/**
 * A Flink job as a {@link Recipe}, one for all platforms: each platform's base must agree on
 * {@code FLINK_HOME} (checked as the runner asks, before any image is made); the first platform's
 * plan is what the deployment describes.
 */
public final class FlinkRecipe implements Recipe {
    private final FlinkJob job;
    private final String base;
    private FlinkJob.Plan plan;

    /** {@code base}: the base's name, for the error when its platforms disagree. */
    public FlinkRecipe(FlinkJob job, String base) {
        this.job = job;
        this.base = base;
    }

    @Override
    public synchronized Addition apply(ImageConfig baseConfig) {
        FlinkJob.Plan planned = job.plan(baseConfig);
        if (plan == null) {
            plan = planned;
        } else if (!plan.flinkHome().equals(planned.flinkHome())) {
            throw new InvalidInputException("the platforms of " + base + " disagree on FLINK_HOME: "
                    + plan.flinkHome() + " and " + planned.flinkHome());
        }
        return new Addition(planned.layers(), new ConfigChanges(planned.env(), null, null, null, null, planned.labels(), List.of()));
    }

    /** The first platform's plan; {@code null} before the runner asked. */
    public synchronized FlinkJob.Plan plan() {
        return plan;
    }
}
