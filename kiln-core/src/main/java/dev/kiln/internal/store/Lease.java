package dev.kiln.internal.store;

/** A held lock or lease on the store; closing releases it. */
public interface Lease extends AutoCloseable {
    @Override
    void close();
}
