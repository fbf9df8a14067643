package dev.kiln.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What a cleanup removed (or, for a dry run, would remove).
 *
 * @param removed      the cached images dropped, least recently used first
 * @param blobsRemoved blobs deleted because nothing kept referenced them
 */
public record PruneResult(List<CachedImage> removed, int blobsRemoved, long bytesBefore, long bytesAfter, boolean dryRun) {
    /** How many bytes the cleanup freed (would free, for a dry run); in the JSON documents too. */
    @JsonProperty("bytesFreed")
    public long bytesFreed() {
        return bytesBefore - bytesAfter;
    }
}
