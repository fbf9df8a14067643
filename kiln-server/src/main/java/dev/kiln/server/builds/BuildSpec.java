package dev.kiln.server.builds;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/**
 * The {@code request} part of {@code POST /api/v1/builds}: what to build, field for field the Java API's
 * {@code BuildRequest} (kinds {@code image} and {@code dockerfile}) and {@code FlinkBuildRequest} (kind
 * {@code flink}). A file is the name of a part of the same request, or the digest ({@code sha256:…}) of
 * a file the server holds; {@code files} names held files ({@code {"job.jar": "sha256:…"}}) so that a
 * name refers to them as to a part, keeping the file's name in the image. A directory is a tar part (plain
 * or gzip), named with {@code "dir": true}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = BuildSpec.Image.class, name = "image"),
        @JsonSubTypes.Type(value = BuildSpec.Dockerfile.class, name = "dockerfile"),
        @JsonSubTypes.Type(value = BuildSpec.Flink.class, name = "flink")})
public sealed interface BuildSpec {
    /** The registry reference the image goes to. */
    String to();

    /** {@code image}, {@code dockerfile} or {@code flink}. */
    String kind();

    /** Held files by the name the request refers to them by; {@code null}: none. */
    Map<String, String> files();

    /**
     * What every kind has: platforms (comma-separated), the new layers' compression and the base's freshness.
     *
     * @param policy       a pull policy as the CLI names it ({@code if-not-present}, {@code revalidate}, …)
     * @param maxAge       {@code 1h}, {@code 30m}
     * @param maxStale     {@code 7d}
     * @param staleIfError use a stale base when the registry cannot be reached
     */
    record Common(String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError) {
    }

    /**
     * One layer: a file (or, with {@code dir}, a tar of a directory's contents) at {@code dest}.
     *
     * @param file a part's name, or {@code sha256:…}
     * @param dest an absolute path in the image ({@code /opt/app/}: a directory, the file keeps its name)
     * @param dir  the part is a tar of a directory
     */
    record Layer(String file, String dest, Integer uid, Integer gid, Boolean dir) {
    }

    /** Configuration changes, as {@code kiln build}'s options make them. */
    record Config(Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                  Map<String, String> labels, List<String> expose) {
    }

    /** A base ({@code scratch} for none) and layers of files. */
    record Image(String from, List<Layer> layers, Map<String, String> env, List<String> entrypoint, List<String> cmd,
                 String workingDir, String user, Map<String, String> labels, List<String> expose, String to,
                 String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                 Map<String, String> files)
            implements BuildSpec {
        @Override
        public String kind() {
            return "image";
        }

        Common common() {
            return new Common(platforms, compression, policy, maxAge, maxStale, staleIfError);
        }

        Config config() {
            return new Config(env, entrypoint, cmd, workingDir, user, labels, expose);
        }
    }

    /**
     * A Dockerfile build.
     *
     * @param context    the part holding the build context, a tar
     * @param dockerfile the Dockerfile's path inside the context (default {@code Dockerfile})
     */
    record Dockerfile(String context, String dockerfile, Map<String, String> buildArgs, String run,
                      Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                      Map<String, String> labels, List<String> expose, String to,
                      String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                      Map<String, String> files)
            implements BuildSpec {
        @Override
        public String kind() {
            return "dockerfile";
        }

        Common common() {
            return new Common(platforms, compression, policy, maxAge, maxStale, staleIfError);
        }

        Config config() {
            return new Config(env, entrypoint, cmd, workingDir, user, labels, expose);
        }
    }

    /** A Flink job image, as {@code FlinkBuildRequest} describes it; {@code hadoopConf} and {@code hiveConf} are tar parts. */
    record Flink(String base, String flinkVersion, Integer java, String scala, String jobJar, List<String> libs, List<String> conf,
                 List<Layer> adds, String hadoopConf, String hiveConf, String mainClass, Integer uid, Integer gid,
                 String deploymentName, List<String> jobArgs, Integer parallelism, Integer taskSlots, String serviceAccount,
                 String jobManagerMemory, Double jobManagerCpu, String taskManagerMemory, Double taskManagerCpu, String upgradeMode,
                 String to, String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                 Map<String, String> files)
            implements BuildSpec {
        @Override
        public String kind() {
            return "flink";
        }

        Common common() {
            return new Common(platforms, compression, policy, maxAge, maxStale, staleIfError);
        }
    }
}
