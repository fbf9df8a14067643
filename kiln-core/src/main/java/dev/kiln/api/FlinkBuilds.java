package dev.kiln.api;

import dev.kiln.internal.build.BuildRunner;
import dev.kiln.internal.build.Built;
import dev.kiln.internal.build.Target;
import dev.kiln.error.InvalidInputException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;
import dev.kiln.internal.flink.ConfFiles;
import dev.kiln.internal.flink.DeploymentOption;
import dev.kiln.internal.flink.FlinkDeployment;
import dev.kiln.internal.flink.FlinkJob;
import dev.kiln.internal.flink.FlinkRecipe;
import dev.kiln.internal.flink.FlinkVersion;
import dev.kiln.internal.flink.JobJar;
import dev.kiln.image.Reference;
import dev.kiln.internal.layer.LayerSource;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Flink request made into a {@link FlinkRecipe} run by the {@link BuildRunner}, and its deployment described. */
final class FlinkBuilds {
    /** The request's defaults, as the options' text. */
    private static final Map<DeploymentOption, String> DEFAULTS = Map.of(
            DeploymentOption.PARALLELISM, Integer.toString(FlinkDefaults.PARALLELISM),
            DeploymentOption.TASK_SLOTS, Integer.toString(FlinkDefaults.TASK_SLOTS),
            DeploymentOption.SERVICE_ACCOUNT, FlinkDefaults.SERVICE_ACCOUNT,
            DeploymentOption.JOBMANAGER_MEMORY, FlinkDefaults.MEMORY,
            DeploymentOption.JOBMANAGER_CPU, Double.toString(FlinkDefaults.CPU),
            DeploymentOption.TASKMANAGER_MEMORY, FlinkDefaults.MEMORY,
            DeploymentOption.TASKMANAGER_CPU, Double.toString(FlinkDefaults.CPU));

    private FlinkBuilds() {
    }

    static FlinkBuildResult build(FlinkBuildRequest request, BuildRunner runner, BuildPlans plans, Telemetry telemetry) {
        // every input is checked here, before any request: the conf files too, read for the deployment
        List<LayerSource> adds = request.adds().stream()
                .map(a -> new LayerSource(a.source(), a.destination(), request.owner().uid(), request.owner().gid())).toList();
        FlinkJob job = new FlinkJob(JobJar.inspect(request.jobJar()), request.libs(), request.confFiles(), adds, request.hadoopConf(),
                request.hiveConf(), Optional.ofNullable(request.mainClass()), request.owner().uid(), request.owner().gid(),
                request.jarLayers().stream().map(l -> new FlinkJob.JarGroup(l.directory(), l.where().dirName())).toList());
        ConfFiles conf = ConfFiles.read(request.confFiles());
        DeploymentOption.Resolution options = DeploymentOption.resolve(given(request), DEFAULTS, conf);
        FlinkVersion givenVersion = request.flinkVersion() == null ? null : FlinkVersion.parse(request.flinkVersion());
        Reference baseRef = request.base() != null ? Reference.parse(request.base())
                : givenVersion.officialImage(request.java(), request.scala());
        if (job.mainClass().isEmpty()) {
            throw new InvalidInputException("the job jar " + request.jobJar().getFileName() + " names no entry class (no program-class "
                    + "or Main-Class in its manifest), so Flink could not start it: give the class (--main-class, "
                    + "FlinkBuildRequest.Builder.mainClass)");
        }
        Target target = request.destination().target();
        String deploymentName = request.deploymentName() != null ? request.deploymentName()
                : FlinkDeployment.nameFor(target instanceof Target.Registry r ? r.reference().repository() : "flink-job");
        FlinkDeployment.Settings settings = FlinkDeployment.Settings.of(deploymentName, request.jobArgs(), options,
                request.upgradeMode());
        // without --base the version picked the base: nothing to contradict
        FlinkRecipe recipe = new FlinkRecipe(job, baseRef, request.base() != null ? givenVersion : null);
        Built built = runner.build(target, request.platform(),
                platform -> new BuildRunner.Part(plans.spec(baseRef, platform, request), recipe), telemetry);
        BuildResult result = Results.build(built, telemetry);
        FlinkJob.Plan plan = recipe.plan();
        FlinkVersion version = givenVersion != null ? givenVersion
                : FlinkVersion.of(baseRef, built.images().get(0).base().config()).orElse(null);
        // by digest alone: what Kubernetes pulls is exactly what was built, and every tool reads the name
        String image = target instanceof Target.Registry registry ? registry.reference().name() + "@" + result.digest() : null;
        FlinkDeployment deployment = image == null || version == null ? null
                : new FlinkDeployment(settings, image, version, plan.jarUri(), job.mainClass(), conf);
        log(conf, options, plan.flinkHome(), deployment != null, telemetry);
        if (version != null) {
            conf.formatNote(version).ifPresent(note -> telemetry.emit(new KilnEvent.Warning(note)));
        }
        return new FlinkBuildResult(result, plan.flinkHome(), plan.jarUri(), job.mainClass().orElse(null),
                version == null ? null : version.toString(), image, () -> deployment == null ? null : deployment.toYaml(),
                deployment == null ? List.of() : deployment.nativeArgs(), deployment == null ? null : deployment.nativeCommand());
    }

    /** The options the request gives; those it leaves null are not given. */
    private static Map<DeploymentOption, String> given(FlinkBuildRequest request) {
        Map<DeploymentOption, String> given = new EnumMap<>(DeploymentOption.class);
        put(given, DeploymentOption.PARALLELISM, request.parallelism());
        put(given, DeploymentOption.TASK_SLOTS, request.taskSlots());
        put(given, DeploymentOption.SERVICE_ACCOUNT, request.serviceAccount());
        put(given, DeploymentOption.JOBMANAGER_MEMORY, request.jobManager().memory());
        put(given, DeploymentOption.JOBMANAGER_CPU, request.jobManager().cpu());
        put(given, DeploymentOption.TASKMANAGER_MEMORY, request.taskManager().memory());
        put(given, DeploymentOption.TASKMANAGER_CPU, request.taskManager().cpu());
        return given;
    }

    private static void put(Map<DeploymentOption, String> given, DeploymentOption option, Object value) {
        if (value != null) {
            given.put(option, value.toString());
        }
    }

    /** The build log says what went where, and which given values won over a file's. */
    private static void log(ConfFiles conf, DeploymentOption.Resolution options, String flinkHome, boolean deployed, Telemetry telemetry) {
        conf.placements(flinkHome + "/conf", deployed).forEach(line -> telemetry.emit(new KilnEvent.Info("flink conf", line)));
        if (deployed) {
            options.notes().forEach(note -> telemetry.emit(new KilnEvent.Info("flink conf", note)));
            conf.settings().keySet().stream().filter(FlinkDeployment.OWN_KEYS::contains).forEach(key -> telemetry.emit(
                    new KilnEvent.Info("flink conf", key + " in " + conf.origin(key) + " does not apply: the deployment sets it")));
        }
    }
}
