package dev.kiln.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The jars in {@code directory} (each a jar, under its own file name) as one layer of a Flink job image, in
 * {@code $FLINK_HOME/}{@code where}: see {@link FlinkBuildRequest.Builder#jarLayer(Path, Directory)}.
 *
 * @param directory a directory that holds only jars
 * @param where     {@code lib} or {@code usrlib}
 */
public record FlinkJarLayer(Path directory, Directory where) {
    /** Checks that neither is missing. */
    public FlinkJarLayer {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(where, "where");
    }

    /** Where under {@code $FLINK_HOME} a layer's jars go. */
    public enum Directory {
        /** {@code $FLINK_HOME/lib/}: Flink's own class path, for every job of the cluster. */
        LIB,
        /** {@code $FLINK_HOME/usrlib/}: beside the job jar, on the job's class path in application mode. */
        USRLIB;

        /** The directory's name under {@code $FLINK_HOME}: {@code lib} or {@code usrlib}. */
        public String dirName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
