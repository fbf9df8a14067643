package dev.kiln.server.builds;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.Destination;
import dev.kiln.api.FlinkBuildRequest;
import dev.kiln.api.FlinkBuildResult;
import dev.kiln.api.Freshness;
import dev.kiln.api.ImageBuildRequest;
import dev.kiln.api.Units;
import dev.kiln.error.KilnException;
import dev.kiln.image.PullPolicy;
import dev.kiln.server.http.ApiException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Turns a {@link BuildSpec} and its files into the Java API's request, checked as the API checks it
 * (before anything is queued): a malformed reference, a missing part or a contradiction is a 400.
 */
final class BuildRequests {
    private BuildRequests() {
    }

    /** The work {@code spec} describes, with its files from {@code files}. */
    static Work prepare(BuildSpec spec, BuildFiles files) {
        try {
            requireRegistry(spec.to());
            if (spec instanceof BuildSpec.Image image) {
                BuildRequest request = image(image, files);
                return (kiln, listener) -> {
                    var result = kiln.build(request, listener);
                    return new Work.Outcome(result, result);
                };
            }
            if (spec instanceof BuildSpec.Dockerfile dockerfile) {
                BuildRequest request = dockerfile(dockerfile, files);
                return (kiln, listener) -> {
                    var result = kiln.build(request, listener);
                    return new Work.Outcome(result, result);
                };
            }
            FlinkBuildRequest request = flink((BuildSpec.Flink) spec, files);
            return (kiln, listener) -> {
                FlinkBuildResult result = kiln.buildFlink(request, listener);
                return new Work.Outcome(result, result.build());
            };
        } catch (KilnException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The service publishes to registries only: an OCI layout or tar would land on the server's disk. */
    static Destination requireRegistry(String to) {
        if (to == null || to.isBlank()) {
            throw ApiException.badRequest("to: no target given (a registry reference, e.g. registry.example.com/jobs/orders:1)");
        }
        Destination destination = Destination.parse(to);
        if (destination.kind() != Destination.Kind.REGISTRY) {
            throw ApiException.badRequest("to: " + to + " is not a registry reference: the service publishes to registries only");
        }
        return destination;
    }

    private static BuildRequest image(BuildSpec.Image spec, BuildFiles files) {
        BuildRequest.Builder builder = BuildRequest.from(spec.from() == null ? "" : spec.from());
        List<BuildSpec.Layer> layers = spec.layers() == null ? List.of() : spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            BuildSpec.Layer layer = layers.get(i);
            builder.add(source(layer, files, "layers[" + i + "]"), layer.dest(), layer.uid(), layer.gid());
        }
        config(builder, spec.config());
        return common(builder, spec.to(), spec.common()).build();
    }

    private static BuildRequest dockerfile(BuildSpec.Dockerfile spec, BuildFiles files) {
        Path context = files.directory(spec.context(), "context");
        Path dockerfile = context.resolve(spec.dockerfile() == null ? "Dockerfile" : spec.dockerfile()).normalize();
        if (!dockerfile.startsWith(context)) {
            throw ApiException.badRequest("dockerfile: " + spec.dockerfile() + " is outside the context");
        }
        BuildRequest.Builder builder = BuildRequest.dockerfile(dockerfile, context).run(spec.run());
        each(spec.buildArgs(), builder::buildArg);
        config(builder, spec.config());
        return common(builder, spec.to(), spec.common()).build();
    }

    private static FlinkBuildRequest flink(BuildSpec.Flink spec, BuildFiles files) {
        FlinkBuildRequest.Builder builder = FlinkBuildRequest.builder().base(spec.base()).flinkVersion(spec.flinkVersion())
                .java(spec.java()).scala(spec.scala()).mainClass(spec.mainClass()).deploymentName(spec.deploymentName())
                .parallelism(spec.parallelism()).taskSlots(spec.taskSlots()).serviceAccount(spec.serviceAccount())
                .jobManager(spec.jobManagerMemory(), spec.jobManagerCpu()).taskManager(spec.taskManagerMemory(), spec.taskManagerCpu())
                .upgradeMode(spec.upgradeMode());
        if (spec.jobJar() != null) {
            builder.jobJar(files.file(spec.jobJar(), "jobJar"));
        }
        if (spec.uid() != null || spec.gid() != null) {
            builder.owner(spec.uid() == null ? 0 : spec.uid(), spec.gid() == null ? 0 : spec.gid());
        }
        list(spec.libs()).forEach(lib -> builder.lib(files.file(lib, "libs")));
        list(spec.conf()).forEach(conf -> builder.conf(files.file(conf, "conf")));
        List<BuildSpec.Layer> adds = list(spec.adds());
        for (int i = 0; i < adds.size(); i++) {
            builder.add(source(adds.get(i), files, "adds[" + i + "]"), adds.get(i).dest());
        }
        if (spec.hadoopConf() != null) {
            builder.hadoopConf(files.directory(spec.hadoopConf(), "hadoopConf"));
        }
        if (spec.hiveConf() != null) {
            builder.hiveConf(files.directory(spec.hiveConf(), "hiveConf"));
        }
        list(spec.jobArgs()).forEach(builder::jobArg);
        return common(builder, spec.to(), spec.common()).build();
    }

    private static Path source(BuildSpec.Layer layer, BuildFiles files, String field) {
        return Boolean.TRUE.equals(layer.dir()) ? files.directory(layer.file(), field + ".file") : files.file(layer.file(), field + ".file");
    }

    private static void config(BuildRequest.Builder builder, BuildSpec.Config config) {
        each(config.env(), builder::env);
        each(config.labels(), builder::label);
        list(config.expose()).forEach(builder::expose);
        builder.entrypoint(config.entrypoint()).cmd(config.cmd()).workingDir(config.workingDir()).user(config.user());
    }

    private static <B extends ImageBuildRequest.Builder<B, ?>> B common(B builder, String to, BuildSpec.Common common) {
        Freshness freshness = new Freshness(common.policy() == null ? null : PullPolicy.parse(common.policy()),
                common.maxAge() == null ? null : Units.parseDuration(common.maxAge()),
                common.maxStale() == null ? null : Units.parseDuration(common.maxStale()), Boolean.TRUE.equals(common.staleIfError()));
        builder.to(requireRegistry(to)).platform(common.platforms()).freshness(freshness);
        if (common.compression() != null) {
            builder.compression(common.compression());
        }
        return builder;
    }

    private static void each(Map<String, String> map, BiConsumer<String, String> put) {
        if (map != null) {
            map.forEach(put);
        }
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
