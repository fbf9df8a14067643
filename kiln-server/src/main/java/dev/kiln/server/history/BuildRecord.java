package dev.kiln.server.history;

/**
 * One build as the history keeps it. Times are epoch milliseconds; {@code request} and {@code result}
 * are JSON documents ({@code result} {@code null} until it succeeded).
 *
 * @param status     a {@link BuildStatus#wire()} name
 * @param replica    the service instance that ran it
 * @param cacheLevel where the base came from: {@code store}, {@code mirror}, {@code registry} or {@code daemon}
 * @param bytesSaved bytes the target already had or mounted, so not uploaded
 */
public record BuildRecord(String id, String kind, String status, String submitter, String target, String replica, String request,
                          long submittedAt, Long startedAt, Long finishedAt, String error, String result, String image, String digest,
                          String cacheLevel, Long bytesDownloaded, Long bytesUploaded, Long bytesSaved) {
    /** Whether the build is over ({@link BuildStatus#isFinal()}). */
    public boolean finished() {
        return BuildStatus.of(status).orElseThrow().isFinal();
    }
}
