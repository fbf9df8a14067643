package dev.kiln.server.builds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

import java.util.List;
import java.util.Map;

/**
 * The {@code request} part of {@code POST /api/v1/builds}: what to build, field for field the Java API's
 * {@code BuildRequest} (kinds {@code image} and {@code dockerfile}) and {@code FlinkBuildRequest} (kind
 * {@code flink}). A file is the name of a part of the same request, or the digest ({@code sha256:…}) of
 * a file the server holds; {@code files} names held files ({@code {"job.jar": "sha256:…"}}) so that a
 * name refers to them as to a part, keeping the file's name in the image. A directory is a tar part (plain
 * or gzip), named with {@code "dir": true}. {@code RemoteBuilds} sends these records, leaving out what is not set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(BuildSpec.Image.class),
        @JsonSubTypes.Type(BuildSpec.Dockerfile.class),
        @JsonSubTypes.Type(BuildSpec.Flink.class)})
public sealed interface BuildSpec {
    /** The registry reference the image goes to. */
    String to();

    /** {@code image}, {@code dockerfile} or {@code flink}: the record's {@link JsonTypeName}. */
    default String kind() {
        return getClass().getAnnotation(JsonTypeName.class).value();
    }

    /** Held files by the name the request refers to them by; {@code null}: none. */
    Map<String, String> files();

    /** Platforms, comma-separated; {@code null}: the server's. */
    String platforms();

    /** The new layers' compression; {@code null}: gzip. */
    String compression();

    /** The base's pull policy; {@code null}: configured. */
    String policy();

    /** The base's max age; {@code null}: configured. */
    String maxAge();

    /** The base's max staleness; {@code null}: configured. */
    String maxStale();

    /** Whether a stale base may be used when its registry cannot be reached. */
    Boolean staleIfError();

    /** What every kind has, in one value. */
    default Common common() {
        return new Common(platforms(), compression(), policy(), maxAge(), maxStale(), staleIfError());
    }

    /** The configuration changes of the kinds that make them ({@code image}, {@code dockerfile}). */
    interface Configures {
        /** Environment variables to set. */
        Map<String, String> env();

        /** The entrypoint; {@code null}: the base's. */
        List<String> entrypoint();

        /** The default arguments; {@code null}: the base's. */
        List<String> cmd();

        /** The working directory; {@code null}: the base's. */
        String workingDir();

        /** The user; {@code null}: the base's. */
        String user();

        /** Labels to set. */
        Map<String, String> labels();

        /** Ports to declare. */
        List<String> expose();

        /** All of them, in one value. */
        default Config config() {
            return new Config(env(), entrypoint(), cmd(), workingDir(), user(), labels(), expose());
        }
    }

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
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Layer(String file, String dest, Integer uid, Integer gid, Boolean dir) {
    }

    /** Configuration changes, as {@code kiln build}'s options make them. */
    record Config(Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                  Map<String, String> labels, List<String> expose) {
    }

    /** A base ({@code scratch} for none) and layers of files. */
    @JsonTypeName("image")
    record Image(String from, List<Layer> layers, Map<String, String> env, List<String> entrypoint, List<String> cmd,
                 String workingDir, String user, Map<String, String> labels, List<String> expose, String to,
                 String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                 Map<String, String> files)
            implements BuildSpec, Configures {
        /** The image build of those parts. */
        public Image(String from, List<Layer> layers, Config config, String to, Common common, Map<String, String> files) {
            this(from, layers, config.env(), config.entrypoint(), config.cmd(), config.workingDir(), config.user(), config.labels(),
                    config.expose(), to, common.platforms(), common.compression(), common.policy(), common.maxAge(), common.maxStale(),
                    common.staleIfError(), files);
        }
    }

    /**
     * A Dockerfile build.
     *
     * @param context    the part holding the build context, a tar
     * @param dockerfile the Dockerfile's path inside the context (default {@code Dockerfile})
     */
    @JsonTypeName("dockerfile")
    record Dockerfile(String context, String dockerfile, Map<String, String> buildArgs, String run,
                      Map<String, String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                      Map<String, String> labels, List<String> expose, String to,
                      String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                      Map<String, String> files)
            implements BuildSpec, Configures {
        /** The Dockerfile build of those parts. */
        public Dockerfile(String context, String dockerfile, Map<String, String> buildArgs, String run, Config config, String to,
                          Common common, Map<String, String> files) {
            this(context, dockerfile, buildArgs, run, config.env(), config.entrypoint(), config.cmd(), config.workingDir(), config.user(),
                    config.labels(), config.expose(), to, common.platforms(), common.compression(), common.policy(), common.maxAge(),
                    common.maxStale(), common.staleIfError(), files);
        }
    }

    /** A Flink job image, as {@code FlinkBuildRequest} describes it; {@code hadoopConf} and {@code hiveConf} are tar parts. */
    @JsonTypeName("flink")
    record Flink(String base, String flinkVersion, Integer java, String scala, String jobJar, List<String> libs, List<String> conf,
                 List<Layer> adds, String hadoopConf, String hiveConf, String mainClass, Integer uid, Integer gid,
                 String deploymentName, List<String> jobArgs, Integer parallelism, Integer taskSlots, String serviceAccount,
                 String jobManagerMemory, Double jobManagerCpu, String taskManagerMemory, Double taskManagerCpu, String upgradeMode,
                 String to, String platforms, String compression, String policy, String maxAge, String maxStale, Boolean staleIfError,
                 Map<String, String> files)
            implements BuildSpec {
    }
}
