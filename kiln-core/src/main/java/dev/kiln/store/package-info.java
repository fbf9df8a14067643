/**
 * The local content-addressable store: verified blobs ({@link dev.kiln.store.BlobStore}), reference
 * records ({@link dev.kiln.store.RecordStore}), cross-process locks and garbage collection
 * ({@link dev.kiln.store.StoreCollector}). Paths are known to {@link dev.kiln.store.StoreLayout} alone.
 */
package dev.kiln.store;
