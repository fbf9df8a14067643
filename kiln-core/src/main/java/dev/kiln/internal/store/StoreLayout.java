package dev.kiln.internal.store;

import dev.kiln.image.Digest;
import dev.kiln.image.Reference;

import java.nio.file.Path;

/**
 * The one class that knows where things live under the store directory:
 * <pre>
 * blobs/sha256/&lt;hex&gt;      verified content, read-only
 * verified/sha256/&lt;hex&gt;   the blob file's stat when it was last verified (size, times, inode)
 * ingest/&lt;hex&gt;            in-flight downloads, owned by whoever holds locks/&lt;hex&gt;.lock
 * refs/&lt;registry&gt;/&lt;repository&gt;/@&lt;tag or digest&gt;.json   what a reference resolved to
 * layers/&lt;fingerprint&gt;.json  application-layer cache: input fingerprint → built layer blob
 * layer-index/&lt;hex&gt;      the entries of one layer blob, by its digest (what a Dockerfile RUN reads of a base)
 * files/&lt;hex&gt;             content digests of the files under one layer source, by stat (a cache)
 * ledger.jsonl             what Kiln built: image, digest, base and base digest, time
 * locks/                  per-blob lock files; store.lock guards garbage collection (a record's locks are beside it)
 * </pre>
 */
public record StoreLayout(Path root) {

    public Path blob(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    public Path blobsDir() {
        return root.resolve("blobs").resolve("sha256");
    }

    public Path verifiedStamp(Digest digest) {
        return root.resolve("verified").resolve(digest.algorithm()).resolve(digest.hex());
    }

    public Path verifiedDir() {
        return root.resolve("verified").resolve("sha256");
    }

    public Path ingestDir() {
        return root.resolve("ingest");
    }

    public Path ingest(Digest digest) {
        return ingestDir().resolve(digest.hex());
    }

    public Path locksDir() {
        return root.resolve("locks");
    }

    public Path blobLock(Digest digest) {
        return locksDir().resolve(digest.hex() + ".lock");
    }

    public Path storeLock() {
        return locksDir().resolve("store.lock");
    }

    public Path layerRecord(Digest fingerprint) {
        return root.resolve("layers").resolve(fingerprint.hex() + ".json");
    }

    public Path layerIndex(Digest layer) {
        return layerIndexDir().resolve(layer.hex());
    }

    public Path layerIndexDir() {
        return root.resolve("layer-index");
    }

    public Path ledger() {
        return root.resolve("ledger.jsonl");
    }

    public Path fileDigestsDir() {
        return root.resolve("files");
    }

    public Path refsDir() {
        return root.resolve("refs");
    }

    /**
     * Records are named by what the user asked for; a pinned reference is keyed by digest alone
     * because its tag, if any, is informational. '@' cannot occur in repository paths, so record
     * files never collide with repository directories.
     */
    public Path record(Reference ref) {
        Path repoDir = refsDir().resolve(ref.registry()).resolve(ref.repository());
        String key = ref.isPinned() ? ref.digest().algorithm() + "-" + ref.digest().hex() : ref.tag();
        return repoDir.resolve("@" + key + ".json");
    }

    public Path recordLock(Path record) {
        return record.resolveSibling(record.getFileName() + ".lock");
    }

    /** Held while a reference is resolved against a registry, so that concurrent resolutions send one request. */
    public Path resolutionLock(Path record) {
        return record.resolveSibling(record.getFileName() + ".resolving.lock");
    }
}
