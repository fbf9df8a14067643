package dev.kiln.api;

import dev.kiln.internal.build.BuildRunner;
import dev.kiln.internal.build.Built;
import dev.kiln.internal.build.Target;
import dev.kiln.event.Telemetry;
import dev.kiln.internal.flink.FlinkDeployment;
import dev.kiln.internal.flink.FlinkJob;
import dev.kiln.internal.flink.FlinkRecipe;
import dev.kiln.internal.flink.FlinkVersion;
import dev.kiln.internal.flink.JobJar;
import dev.kiln.image.Reference;

import java.util.List;
import java.util.Optional;

/** A Flink request made into a {@link FlinkRecipe} run by the {@link BuildRunner}, and its deployment described. */
final class FlinkBuilds {
    private FlinkBuilds() {
    }

    static FlinkBuildResult build(FlinkBuildRequest request, BuildRunner runner, BuildPlans plans, Telemetry telemetry) {
        // every input is checked here, before any request
        FlinkJob job = new FlinkJob(JobJar.inspect(request.jobJar()), request.libs(), request.confFiles(), request.hadoopConf(),
                request.hiveConf(), Optional.ofNullable(request.mainClass()), request.uid(), request.gid());
        FlinkVersion givenVersion = request.flinkVersion() == null ? null : FlinkVersion.parse(request.flinkVersion());
        Reference baseRef = request.base() != null ? Reference.parse(request.base())
                : givenVersion.officialImage(request.java(), request.scala());
        Target target = request.destination().target();
        String deploymentName = request.deploymentName() != null ? request.deploymentName()
                : FlinkDeployment.nameFor(target instanceof Target.Registry r ? r.reference().repository() : "flink-job");
        FlinkDeployment.Settings settings = new FlinkDeployment.Settings(deploymentName, request.jobArgs(), request.parallelism(),
                request.taskSlots(), request.serviceAccount(),
                new FlinkDeployment.Resources(request.jobManagerMemory(), request.jobManagerCpu()),
                new FlinkDeployment.Resources(request.taskManagerMemory(), request.taskManagerCpu()), request.upgradeMode());
        FlinkRecipe recipe = new FlinkRecipe(job, baseRef.toString());
        Built built = runner.build(target, request.platform(),
                platform -> new BuildRunner.Part(plans.spec(baseRef, platform, request), recipe), telemetry);
        BuildResult result = Results.build(built, telemetry);
        FlinkJob.Plan plan = recipe.plan();
        FlinkVersion version = givenVersion != null ? givenVersion
                : FlinkVersion.of(baseRef, built.images().get(0).base().config()).orElse(null);
        // by digest alone: what Kubernetes pulls is exactly what was built, and every tool reads the name
        String image = target instanceof Target.Registry registry ? registry.reference().name() + "@" + result.digest() : null;
        FlinkDeployment deployment = image == null || version == null ? null
                : new FlinkDeployment(settings, image, version, plan.jarUri(), job.mainClass());
        return new FlinkBuildResult(result, plan.flinkHome(), plan.jarUri(), job.mainClass().orElse(null),
                version == null ? null : version.toString(), image, deployment == null ? null : deployment.toYaml(),
                deployment == null ? List.of() : deployment.nativeArgs(), deployment == null ? null : deployment.nativeCommand());
    }
}
