/**
 * The local content-addressable store: verified blobs ({@link dev.kiln.internal.store.BlobStore}), reference
 * records ({@link dev.kiln.internal.store.RecordStore}), cross-process locks and garbage collection
 * ({@link dev.kiln.internal.store.StoreCollector}). Paths are known to {@link dev.kiln.internal.store.StoreLayout} alone.
 */
package dev.kiln.internal.store;
