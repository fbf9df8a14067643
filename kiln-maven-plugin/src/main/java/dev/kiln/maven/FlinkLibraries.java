package dev.kiln.maven;

import dev.kiln.error.InvalidInputException;
import org.apache.maven.artifact.Artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of a project's resolved dependencies a Flink job image carries beside the job jar, and in which layer.
 * Kept: the runtime class path (scopes {@code compile} and {@code runtime}), minus
 * <ul>
 *   <li>Flink's own artifacts, which the Flink distribution in the base holds: groupId {@code org.apache.flink},
 *       except those {@link #NOT_DISTRIBUTED} names (connectors, and formats such as Avro and Parquet) but for
 *       {@code flink-connector-base}, {@code -files} and {@code -datagen} (which are), and except the artifactIds
 *       given in {@code keep};</li>
 *   <li>what Maven resolved through such an excluded artifact (its dependency trail passes one);</li>
 *   <li>what the job jar holds already ({@code META-INF/maven/GROUP/ARTIFACT/pom.properties}, as the shade plugin leaves it).</li>
 * </ul>
 * Released versions make one layer, snapshots the next: a new job release uploads the job jar's layer alone.
 */
final class FlinkLibraries {
    static final String FLINK_GROUP = "org.apache.flink";
    /** Prefixes of Flink's artifactIds the distribution does not carry: connectors and the formats beyond JSON and CSV. */
    static final List<String> NOT_DISTRIBUTED = List.of("flink-connector-", "flink-sql-connector-", "flink-avro", "flink-sql-avro",
            "flink-parquet", "flink-sql-parquet", "flink-orc", "flink-sql-orc", "flink-protobuf", "flink-sql-protobuf");
    /** Connectors the Flink distribution carries itself (in {@code flink-dist}). */
    static final Set<String> DISTRIBUTED_CONNECTORS = Set.of("flink-connector-base", "flink-connector-files", "flink-connector-datagen");
    private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
    private static final Pattern RELEASE = Pattern.compile("\\d+\\.\\d+(?:\\.\\d+)?");

    /** The jars that go into the image, released then snapshot, and why each other dependency does not. */
    record Selection(List<Artifact> released, List<Artifact> snapshots, List<String> notes) {
    }

    private FlinkLibraries() {
    }

    static Selection select(Collection<Artifact> artifacts, Path jobJar, Collection<String> keep) throws IOException {
        Set<String> shaded = shadedInto(jobJar);
        Set<String> excludedFlink = new HashSet<>();
        for (Artifact a : artifacts) {
            if (isFlinkDistribution(a, keep)) {
                excludedFlink.add(a.getGroupId() + ":" + a.getArtifactId());
            }
        }
        List<Artifact> released = new ArrayList<>();
        List<Artifact> snapshots = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Artifact a : artifacts.stream().sorted((x, y) -> x.getId().compareTo(y.getId())).toList()) {
            boolean runtime = Artifact.SCOPE_COMPILE.equals(a.getScope()) || Artifact.SCOPE_RUNTIME.equals(a.getScope());
            if (!runtime || !"jar".equals(a.getArtifactHandler().getExtension())) {
                continue;
            }
            String key = a.getGroupId() + ":" + a.getArtifactId();
            String through = throughExcluded(a, excludedFlink);
            if (excludedFlink.contains(key)) {
                notes.add(a.getId() + " not copied: Flink's own, in the distribution");
            } else if (through != null) {
                notes.add(a.getId() + " not copied: comes with " + through + ", Flink's own");
            } else if (shaded.contains(key)) {
                notes.add(a.getId() + " not copied: the job jar holds it already (its META-INF/maven/" + a.getGroupId() + "/"
                        + a.getArtifactId() + "/pom.properties)");
            } else {
                (a.isSnapshot() ? snapshots : released).add(a);
            }
        }
        return new Selection(released, snapshots, notes);
    }

    /** Whether {@code a} is one of Flink's own artifacts that the distribution holds (see the type's rule). */
    static boolean isFlinkDistribution(Artifact a, Collection<String> keep) {
        if (!FLINK_GROUP.equals(a.getGroupId()) || keep.contains(a.getArtifactId())) {
            return false;
        }
        String id = a.getArtifactId();
        return DISTRIBUTED_CONNECTORS.contains(id) || NOT_DISTRIBUTED.stream().noneMatch(id::startsWith);
    }

    /** The excluded Flink artifact Maven resolved {@code a} through, or {@code null}. */
    private static String throughExcluded(Artifact a, Set<String> excludedFlink) {
        List<String> trail = a.getDependencyTrail();
        if (trail == null) {
            return null;
        }
        // the trail is the project, the artifacts in between, then the artifact itself
        for (int i = 1; i < trail.size() - 1; i++) {
            String[] parts = trail.get(i).split(":");
            if (parts.length >= 2 && excludedFlink.contains(parts[0] + ":" + parts[1])) {
                return parts[0] + ":" + parts[1];
            }
        }
        return null;
    }

    /** The {@code groupId:artifactId} of every Maven artifact whose {@code pom.properties} the jar holds. */
    static Set<String> shadedInto(Path jar) throws IOException {
        Set<String> found = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().forEach(entry -> {
                Matcher m = POM_PROPERTIES.matcher(entry.getName());
                if (m.matches()) {
                    found.add(m.group(1) + ":" + m.group(2));
                }
            });
        }
        return found;
    }

    /**
     * The Flink version the project's {@code org.apache.flink} artifacts name ({@code 1.18.1}): those with a
     * release version of their own (connectors, {@code 3.1.0-1.18}, have theirs); {@code null} when none does.
     */
    static String flinkVersion(Collection<Artifact> artifacts) {
        Set<String> versions = new TreeSet<>();
        for (Artifact a : artifacts) {
            if (FLINK_GROUP.equals(a.getGroupId()) && RELEASE.matcher(a.getBaseVersion()).matches()
                    && !a.getArtifactId().startsWith("flink-connector-") && !a.getArtifactId().startsWith("flink-sql-connector-")
                    && !a.getArtifactId().startsWith("flink-shaded-")) {
                versions.add(a.getBaseVersion());
            }
        }
        if (versions.size() > 1) {
            throw new InvalidInputException("the project's Flink artifacts name several Flink versions " + versions
                    + ": align them, or give <flinkVersion>");
        }
        return versions.isEmpty() ? null : versions.iterator().next();
    }

    /**
     * Copies {@code artifacts} into {@code dir} (emptied first) under their Maven file names,
     * {@code artifactId-version[-classifier].jar}; returns whether there was any.
     */
    static boolean stage(List<Artifact> artifacts, Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var old = Files.list(dir)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        if (artifacts.isEmpty()) {
            return false;
        }
        Files.createDirectories(dir);
        for (Artifact a : artifacts) {
            Path target = dir.resolve(fileName(a));
            if (Files.exists(target)) {
                throw new IOException("two dependencies are named " + target.getFileName() + ": one would replace the other in the image");
            }
            Files.copy(a.getFile().toPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return true;
    }

    /** {@code artifactId-version[-classifier].jar}, the snapshot's base version ({@code 1.0-SNAPSHOT}) rather than a timestamp. */
    static String fileName(Artifact a) {
        return a.getArtifactId() + "-" + a.getBaseVersion() + (a.hasClassifier() ? "-" + a.getClassifier() : "") + ".jar";
    }
}
