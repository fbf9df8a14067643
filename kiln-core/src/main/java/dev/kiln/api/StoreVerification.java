package dev.kiln.api;

import java.util.List;

/**
 * What {@link Kiln#verifyStore()} found.
 *
 * @param blobsChecked      blobs re-hashed
 * @param bytesChecked      their total size
 * @param corruptBlobs      digests of blobs whose content did not match (removed: the next use fetches them again)
 * @param danglingReferences records pointing at a manifest, index or config that is not in the store
 * @param layersNotFetched  layers of recorded images not in the store; allowed (inspect and builds fetch only what they need)
 * @param ingestFiles       files in the ingest area: downloads in progress, or left by a crash (resumed or cleaned later)
 * @param ok                no corrupt blob and no dangling reference
 */
public record StoreVerification(int blobsChecked, long bytesChecked, List<String> corruptBlobs, List<String> danglingReferences,
                                int layersNotFetched, int ingestFiles, boolean ok) {
}
