package dev.kiln.internal.flink;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.ImageConfig;
import dev.kiln.internal.layer.LayerSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a Flink job image adds to its base, and where: Hadoop and Hive configuration (with
 * {@code HADOOP_CONF_DIR} / {@code HIVE_CONF_DIR}), files for {@code $FLINK_HOME/conf/}, jars for
 * {@code $FLINK_HOME/lib/}, files the job reads itself where it names them ({@code adds}, never under the
 * conf dir, which Kubernetes hides), and the job jar in {@code $FLINK_HOME/usrlib/}. Each is a layer of its
 * own, from the least to the most often changing, so that a new release of the job uploads only the
 * job jar's layer; the libraries share one when one each would exceed {@link #MAX_IMAGE_LAYERS}. Every
 * input is checked when the job is described, before any request.
 *
 * @param adds      files or directories at their absolute destinations
 * @param mainClass the entry class: given, or the jar's {@code program-class} / {@code Main-Class}
 * @param uid       owner of the added files (with {@code gid}); the official images run as flink, 9999
 * @param jarGroups directories of jars, one layer each after the libs, in {@code lib/} or {@code usrlib/}
 */
public record FlinkJob(JobJar jar, List<Path> libs, List<Path> confFiles, List<LayerSource> adds, Path hadoopConf, Path hiveConf,
                       Optional<String> mainClass, int uid, int gid, List<JarGroup> jarGroups) {
    public static final String DEFAULT_FLINK_HOME = "/opt/flink";
    public static final String HADOOP_CONF_DIR = "/opt/hadoop/conf";
    public static final String HIVE_CONF_DIR = "/opt/hive/conf";
    public static final String LABEL_JAR = "dev.kiln.flink.job.jar";
    public static final String LABEL_MAIN_CLASS = "dev.kiln.flink.job.main-class";
    /**
     * The most layers an image may have for Docker to run it (its overlay stack refuses more: "max depth
     * exceeded"; CRI-O stops at 128). With more, the libraries share one layer instead of one each.
     */
    public static final int MAX_IMAGE_LAYERS = 125;

    public FlinkJob {
        libs = List.copyOf(libs);
        confFiles = List.copyOf(confFiles);
        adds = List.copyOf(adds);
        jarGroups = List.copyOf(jarGroups);
        mainClass = mainClass.or(jar::mainClass);
        requireUniqueNames(libs, "--lib");
        requireUniqueNames(confFiles, "--conf");
        libs.forEach(JobJar::requireJar);
        jarGroups.forEach(JarGroup::check);
        for (Path conf : confFiles) {
            if (!Files.isRegularFile(conf)) {
                throw new InvalidInputException("configuration file '" + conf + "' " + (Files.exists(conf) ? "is not a file" : "does not exist"));
            }
        }
        for (LayerSource add : adds) {
            if (!Files.exists(add.source())) {
                throw new InvalidInputException("--add source '" + add.source() + "' does not exist");
            }
            requireOutsideConf(add.destination(), DEFAULT_FLINK_HOME);
        }
        requireDirectory(hadoopConf, "--hadoop-conf");
        requireDirectory(hiveConf, "--hive-conf");
    }

    /** The layers, environment and labels this job adds to a base with {@code baseConfig}. */
    public Plan plan(ImageConfig baseConfig) {
        String home = flinkHome(baseConfig);
        List<LayerSource> layers = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        if (hadoopConf != null) {
            layers.add(new LayerSource(hadoopConf, HADOOP_CONF_DIR + "/", uid, gid));
            env.put("HADOOP_CONF_DIR", HADOOP_CONF_DIR);
        }
        if (hiveConf != null) {
            layers.add(new LayerSource(hiveConf, HIVE_CONF_DIR + "/", uid, gid));
            env.put("HIVE_CONF_DIR", HIVE_CONF_DIR);
        }
        confFiles.forEach(f -> layers.add(new LayerSource(f, home + "/conf/", uid, gid)));
        int others = baseConfig.diffIds().size() + layers.size() + jarGroups.size() + adds.size() + 1;
        if (others + libs.size() <= MAX_IMAGE_LAYERS || libs.size() < 2) {
            libs.forEach(f -> layers.add(new LayerSource(f, home + "/lib/", uid, gid)));
        } else {
            layers.add(LayerSource.files(libs, home + "/lib/", uid, gid));
        }
        jarGroups.forEach(g -> layers.add(new LayerSource(g.directory(), home + "/" + g.flinkHomeDir() + "/", uid, gid)));
        for (LayerSource add : adds) {
            requireOutsideConf(add.destination(), home);
            layers.add(add);
        }
        String jarPath = home + "/usrlib/" + jar.fileName();
        layers.add(new LayerSource(jar.path(), jarPath, uid, gid));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_JAR, jarPath);
        mainClass.ifPresent(c -> labels.put(LABEL_MAIN_CLASS, c));
        return new Plan(home, jarPath, layers, env, labels);
    }

    /** A directory whose jars make one layer in {@code $FLINK_HOME/}{@code flinkHomeDir} ({@code lib} or {@code usrlib}). */
    public record JarGroup(Path directory, String flinkHomeDir) {
        /** The directory holds jars and nothing else: anything else would land in Flink's class path directory. */
        void check() {
            if (!Files.isDirectory(directory)) {
                throw new InvalidInputException("jar directory '" + directory + "' " + (Files.exists(directory) ? "is not a directory" : "does not exist"));
            }
            try (var files = Files.list(directory)) {
                files.sorted().forEach(JobJar::requireJar);
            } catch (java.io.IOException e) {
                throw new InvalidInputException("cannot list jar directory '" + directory + "': " + e.getMessage());
            }
        }
    }

    /** Where things go in one base: {@code FLINK_HOME}, the job jar's path, and what to add. */
    public record Plan(String flinkHome, String jarPath, List<LayerSource> layers, Map<String, String> env,
                       Map<String, String> labels) {
        /** The jar as Flink names it in a deployment: {@code local:///opt/flink/usrlib/job.jar}. */
        public String jarUri() {
            return "local://" + jarPath;
        }
    }

    /** The base's {@code FLINK_HOME}, else {@value #DEFAULT_FLINK_HOME}. */
    public static String flinkHome(ImageConfig baseConfig) {
        for (String entry : FlinkVersion.env(baseConfig)) {
            if (entry.startsWith("FLINK_HOME=")) {
                String home = entry.substring("FLINK_HOME=".length());
                while (home.length() > 1 && home.endsWith("/")) {
                    home = home.substring(0, home.length() - 1);
                }
                if (home.startsWith("/")) {
                    return home;
                }
            }
        }
        return DEFAULT_FLINK_HOME;
    }

    private static void requireUniqueNames(List<Path> files, String option) {
        Set<String> names = new HashSet<>();
        for (Path file : files) {
            Path name = file.getFileName();
            if (name != null && !names.add(name.toString())) {
                throw new InvalidInputException("two " + option + " files are named '" + name + "': one would replace the other");
            }
        }
    }

    /** The conf dir is a volume on Kubernetes (see {@link ConfFiles}): what is added under it would be hidden. */
    private static void requireOutsideConf(String destination, String flinkHome) {
        if (Path.of(destination).normalize().startsWith(Path.of(flinkHome, "conf"))) {
            throw new InvalidInputException("--add destination '" + destination + "' is under " + flinkHome + "/conf, which on "
                    + "Kubernetes is a volume made from the deployment's configuration that hides it: choose a directory outside it "
                    + "(e.g. " + flinkHome + "/job-conf/), or give Flink's own files with --conf");
        }
    }

    private static void requireDirectory(Path dir, String option) {
        if (dir != null && !Files.isDirectory(dir)) {
            throw new InvalidInputException(option + " '" + dir + "' " + (Files.exists(dir) ? "is not a directory" : "does not exist"));
        }
    }
}
