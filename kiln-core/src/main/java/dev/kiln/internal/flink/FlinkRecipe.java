package dev.kiln.internal.flink;

import dev.kiln.internal.build.ConfigChanges;
import dev.kiln.internal.build.Recipe;
import dev.kiln.error.InvalidInputException;
import dev.kiln.image.ImageConfig;
import dev.kiln.image.Reference;
import dev.kiln.internal.store.BaseFiles;

import java.util.List;

/**
 * A Flink job as a {@link Recipe}, one for all platforms: each platform's base must agree on
 * {@code FLINK_HOME} (checked as the runner asks, before any image is made); the first platform's
 * plan is what the deployment describes.
 */
public final class FlinkRecipe implements Recipe {
    private final FlinkJob job;
    private final Reference base;
    private final FlinkVersion expected;
    private FlinkJob.Plan plan;

    /**
     * {@code base}: the base, for its version and the error when its platforms disagree; {@code expected}: the
     * Flink version the request names for it ({@code null}: none), which the base must hold.
     */
    public FlinkRecipe(FlinkJob job, Reference base, FlinkVersion expected) {
        this.job = job;
        this.base = base;
        this.expected = expected;
    }

    @Override
    public synchronized Addition apply(ImageConfig baseConfig, BaseFiles baseFiles) {
        if (expected != null) {
            // checked before any image is made: a deployment for another Flink than the image's would not start
            FlinkVersion.of(base, baseConfig).filter(held -> !held.minorVersion().equals(expected.minorVersion()))
                    .ifPresent(held -> {
                        throw new InvalidInputException("--flink-version " + expected + " contradicts the base " + base
                                + ", which holds Flink " + held + ": give the base's version, or leave --flink-version out");
                    });
        }
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
