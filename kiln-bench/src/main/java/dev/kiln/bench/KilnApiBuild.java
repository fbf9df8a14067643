package dev.kiln.bench;

import dev.kiln.api.BuildRequest;
import dev.kiln.api.Destination;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.KilnBuilder;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.KilnException;
import dev.kiln.error.RegistryException;
import dev.kiln.image.Reference;
import dev.kiln.internal.layer.LayerSource;

import java.io.PrintStream;

/**
 * The build {@link JibBuild} makes, through Kiln's Java API in this JVM, printing one JSON line per
 * build: {@code {"tool":"kiln-api","run":1,"image":…,"digest":…,"durationMs":…,"requests":…,…}}.
 * With {@code --repeat N} one {@link Kiln} makes N builds (the JIT warms up; from the second build
 * on, inputs unchanged, each is a no-op rebuild). {@code durationMs} is the wall time of
 * {@link Kiln#build} as seen by the caller; opening the Kiln (the store) is reported once as
 * {@code openMs} on the first line.
 *
 * <p>Kiln uses plain HTTP for loopback registries by itself; {@code --insecure} adds the
 * {@code --from} and {@code --to} registries as insecure ({@link KilnBuilder#insecureRegistry}).
 */
public final class KilnApiBuild {
    private KilnApiBuild() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns the exit code (0 ok, 1 failure, 2 usage error). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        BuildOptions options;
        BuildRequest request;
        KilnBuilder builder;
        try {
            options = BuildOptions.parse(args);
            if (options.help()) {
                out.print(usage());
                return 0;
            }
            request = request(options);
            builder = Kiln.builder().cacheDir(options.cache());
            // parsed here, so that a malformed reference is a usage error before the store is opened
            String toRegistry = Reference.parse(options.to()).registry();
            String fromRegistry = options.from().equals("scratch") ? null : Reference.parse(options.from()).registry();
            if (options.insecure()) {
                builder.insecureRegistry(toRegistry);
                if (fromRegistry != null) {
                    builder.insecureRegistry(fromRegistry);
                }
            }
            if (options.dockerConfig() != null) {
                builder.dockerConfig(options.dockerConfig());
            }
            if (options.verbose()) {
                builder.listener(event -> err.println("kiln: " + event));
            }
        } catch (BuildOptions.UsageException | InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.print(usage());
            return 2;
        }
        long openStart = System.nanoTime();
        try (Kiln kiln = builder.build()) {
            long openMs = (System.nanoTime() - openStart) / 1_000_000;
            for (int run = 1; run <= options.repeat(); run++) {
                long start = System.nanoTime();
                BuildResult result = kiln.build(request);
                long durationMs = (System.nanoTime() - start) / 1_000_000;
                JsonLine line = new JsonLine()
                        .put("tool", "kiln-api")
                        .put("run", run)
                        .put("image", result.image())
                        .put("digest", result.digest())
                        .put("durationMs", durationMs)
                        .put("requests", result.requests())
                        .put("bytesDownloaded", result.bytesDownloaded())
                        .put("blobsUploaded", result.blobsUploaded())
                        .put("bytesUploaded", result.bytesUploaded())
                        .put("blobsSkipped", result.blobsSkipped())
                        .put("blobsMounted", result.blobsMounted())
                        .put("layersReused", result.layers().stream().filter(BuildResult.AppLayer::cached).count());
                if (run == 1) {
                    line.put("openMs", openMs);
                }
                out.println(line);
                out.flush();
            }
            return 0;
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (KilnException e) {
            err.println("error: " + e.getMessage());
            if (!options.insecure() && e instanceof RegistryException failure && failure.isUnreachable()
                    && JibBuild.isTlsProblem(e)) {
                err.println("hint: a plain-HTTP registry that is not on loopback needs --insecure");
            }
            if (options.verbose()) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    static String usage() {
        return BuildOptions.usage("KilnApiBuild",
                "prints one JSON line per build: {\"tool\":\"kiln-api\",\"run\":1,\"image\":...,\"digest\":...,"
                        + "\"durationMs\":...,\"requests\":...,\"bytesDownloaded\":...,\"bytesUploaded\":...}\n");
    }

    static BuildRequest request(BuildOptions options) {
        BuildRequest.Builder request = BuildRequest.from(options.from()).to(Destination.parse(options.to()));
        for (LayerSource add : options.adds()) {
            request.add(add.source(), add.destination(), add.uid(), add.gid());
        }
        if (options.platform() != null) {
            request.platform(options.platform());
        }
        return request.build();
    }
}
