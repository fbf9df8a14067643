package dev.kiln.internal.resolve;

import dev.kiln.error.KilnException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joining parallel transfers. */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits for every future, even after one failed, so that none is still writing when the caller
     * releases its store lease; then rethrows the first failure, else returns the results in order.
     */
    public static <T> List<T> joinAll(List<CompletableFuture<T>> futures) {
        RuntimeException failure = null;
        List<T> results = new ArrayList<>(futures.size());
        for (CompletableFuture<T> future : futures) {
            try {
                results.add(future.join());
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException runtime ? runtime : new KilnException(e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Waits for every future to finish, whatever its outcome: after another failure, before a lease is released. */
    public static void awaitAll(List<? extends CompletableFuture<?>> futures) {
        for (CompletableFuture<?> future : futures) {
            try {
                future.join();
            } catch (RuntimeException ignored) {
                // the caller reports its own failure; this one is a consequence or irrelevant
            }
        }
    }
}
