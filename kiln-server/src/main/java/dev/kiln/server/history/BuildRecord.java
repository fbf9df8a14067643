package dev.kiln.server.history;

/**
 * One build as the history keeps it. Times are epoch milliseconds; {@code request} and {@code result}
 * are JSON documents ({@code result} {@code null} until it succeeded).
 *
 * @param replica    the service instance that ran it
 * @param cacheLevel where the base came from: {@code store}, {@code mirror}, {@code registry} or {@code daemon}
 * @param bytesSaved bytes the target already had or mounted, so not uploaded
 */
public record BuildRecord(String id, String kind, String status, String submitter, String target, String replica, String request,
                          long submittedAt, Long startedAt, Long finishedAt, String error, String result, String image, String digest,
                          String cacheLevel, Long bytesDownloaded, Long bytesUploaded, Long bytesSaved) {
    /** The statuses; the last four are final. */
    public static final String QUEUED = "queued";
    /** Running on a replica. */
    public static final String RUNNING = "running";
    /** Published. */
    public static final String SUCCEEDED = "succeeded";
    /** Ended with an error. */
    public static final String FAILED = "failed";
    /** Cancelled by a caller. */
    public static final String CANCELLED = "cancelled";
    /** The service stopped while it ran or waited. */
    public static final String INTERRUPTED = "interrupted";

    /** Whether the build is over. */
    public boolean finished() {
        return !status.equals(QUEUED) && !status.equals(RUNNING);
    }
}
