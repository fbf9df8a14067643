package dev.kiln.server.builds;

import java.nio.file.Path;

/**
 * A build this replica has accepted and not finished: its work, its live events, and how to stop it.
 *
 * @param id      the build's id
 * @param target  the tag it publishes: builds of one tag run one after the other
 * @param dir     its files' directory ({@code null}: none), removed when it ends
 * @param events  its live events
 * @param control whether it runs, and how to stop it
 */
public record Job(String id, String kind, String target, String submitter, Work work, Path dir, EventLog events, Control control) {
    /** A job's run: started, finished, cancelled; a cancel interrupts the thread that runs it. */
    public static final class Control {
        private Thread runner;
        private boolean cancelled;
        private boolean done;

        Control() {
        }

        /** The build starts on the current thread, unless it was cancelled while it waited. */
        synchronized boolean start() {
            if (cancelled) {
                return false;
            }
            runner = Thread.currentThread();
            return true;
        }

        /** The build's work is over: a cancel from now on changes nothing. Returns whether it was cancelled. */
        synchronized boolean finish() {
            done = true;
            runner = null;
            Thread.interrupted();
            return cancelled;
        }

        /** Stops the build: interrupts it when it runs. Returns false when it had already finished. */
        synchronized boolean cancel() {
            if (done) {
                return false;
            }
            cancelled = true;
            if (runner != null) {
                runner.interrupt();
            }
            return true;
        }
    }
}
