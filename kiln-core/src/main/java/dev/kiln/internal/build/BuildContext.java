package dev.kiln.internal.build;

import dev.kiln.internal.resolve.Resolver;
import dev.kiln.internal.store.LocalStore;

import java.util.concurrent.ExecutorService;

/**
 * What building and the sinks work with, passed as one: the store that holds the blobs, the resolver
 * that fetches a base's layers the store lacks, and the threads that move blobs.
 *
 * @param store     the local store
 * @param resolver  resolves bases and fetches their missing layers
 * @param transfers the threads for parallel packing, downloads and uploads
 */
record BuildContext(LocalStore store, Resolver resolver, ExecutorService transfers) {
}
