package dev.kiln.api;

/**
 * The defaults of a Flink job's deployment ({@link FlinkBuildRequest}), written only here for the API, the CLI and the
 * Maven plugin alike; they follow the Flink Kubernetes Operator's examples and apply only where neither the request
 * nor a {@code --conf} file gives a value.
 */
public final class FlinkDefaults {
    /** Job parallelism unless set. */
    public static final int PARALLELISM = 1;
    /** Task slots per TaskManager unless set. */
    public static final int TASK_SLOTS = 1;
    /** The Kubernetes service account unless set. */
    public static final String SERVICE_ACCOUNT = "flink";
    /** JobManager and TaskManager memory unless set. */
    public static final String MEMORY = "2048m";
    /** JobManager and TaskManager CPU unless set. */
    public static final double CPU = 1;
    /** The operator's upgrade mode unless set. */
    public static final String UPGRADE_MODE = "stateless";

    private FlinkDefaults() {
    }
}
