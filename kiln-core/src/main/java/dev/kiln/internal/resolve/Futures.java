package dev.kiln.internal.resolve;

import dev.kiln.error.KilnException;
import dev.kiln.internal.registry.InFlight;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Parallel transfers of one operation on the shared transfer pool, and waiting for them: when the
 * waiting thread is interrupted (a cancelled build), its transfers are stopped too, and only its own.
 */
public final class Futures {
    private Futures() {
    }

    /** Runs {@code work} on {@code executor}; {@link #joinAll} and {@link #awaitAll} stop it if their thread is interrupted. */
    public static <T> CompletableFuture<T> async(Supplier<T> work, Executor executor) {
        Task<T> task = new Task<>(work);
        executor.execute(task);
        return task;
    }

    /**
     * Waits for every future, even after one failed, so that none is still writing when the caller
     * releases its store lease; then rethrows the first failure, else returns the results in order.
     * Interrupted, it stops the futures made by {@link #async}, waits for them to end, and fails.
     */
    public static <T> List<T> joinAll(List<CompletableFuture<T>> futures) {
        if (!awaitOrStop(futures)) {
            throw new KilnException("interrupted while waiting for parallel transfers");
        }
        RuntimeException failure = null;
        List<T> results = new ArrayList<>(futures.size());
        for (CompletableFuture<T> future : futures) {
            try {
                results.add(future.join());
            } catch (CompletionException | CancellationException e) {
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

    /**
     * Waits for every future to finish, whatever its outcome: after another failure, before a lease is
     * released. Interrupted, it stops them first (the interrupt flag stays set for the caller).
     */
    public static void awaitAll(List<? extends CompletableFuture<?>> futures) {
        awaitOrStop(futures);
    }

    /** Waits for every future to end; false when the thread was interrupted (the futures were then stopped, and have ended). */
    private static boolean awaitOrStop(List<? extends CompletableFuture<?>> futures) {
        try {
            for (CompletableFuture<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException | CancellationException e) {
                    // the caller reads each outcome
                }
            }
            return true;
        } catch (InterruptedException e) {
            futures.forEach(future -> {
                if (future instanceof Task<?> task) {
                    task.stop();
                }
            });
            for (CompletableFuture<?> future : futures) {
                try {
                    future.join();   // uninterruptible: none may still write once the caller goes on
                } catch (CompletionException | CancellationException ended) {
                    // stopped
                }
            }
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Work on the pool that can be stopped: not started, it never starts; running, its thread is interrupted and its connections closed. */
    private static final class Task<T> extends CompletableFuture<T> implements Runnable {
        private final Supplier<T> work;
        private Thread runner;

        Task(Supplier<T> work) {
            this.work = work;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (isDone()) {
                    return;
                }
                runner = Thread.currentThread();
            }
            try {
                complete(work.get());
            } catch (RuntimeException | Error e) {
                completeExceptionally(e);
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted();   // the pool's thread goes on clean
                }
            }
        }

        synchronized void stop() {
            if (runner != null) {
                InFlight.interrupt(runner);
            } else {
                completeExceptionally(new KilnException("stopped before it started"));
            }
        }
    }
}
