package dev.kiln.internal.registry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections each thread has open, so that another thread can stop its transfers:
 * {@link java.net.HttpURLConnection} does not heed interrupts, and a thread blocked reading a stalled
 * body wakes only when its connection is closed.
 */
public final class InFlight {
    private static final Map<Thread, Set<Runnable>> OPEN = new ConcurrentHashMap<>();

    private InFlight() {
    }

    /**
     * Interrupts {@code thread} and closes the connections it has open: its transfer fails at once, and
     * the interrupt flag stops it from starting another (or retrying).
     */
    public static void interrupt(Thread thread) {
        thread.interrupt();
        Set<Runnable> aborts = OPEN.get(thread);
        if (aborts != null) {
            aborts.forEach(Runnable::run);
        }
    }

    /**
     * Registers {@code abort} (closing a connection) for the current thread until the returned
     * handle runs. The caller checks the interrupt flag after this: an interrupt that came before is
     * then not missed.
     */
    static Runnable open(Runnable abort) {
        Thread thread = Thread.currentThread();
        OPEN.computeIfAbsent(thread, t -> ConcurrentHashMap.newKeySet()).add(abort);
        return () -> OPEN.computeIfPresent(thread, (t, aborts) -> {
            aborts.remove(abort);
            return aborts.isEmpty() ? null : aborts;
        });
    }
}
