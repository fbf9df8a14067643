package dev.kiln.server.builds;

import java.nio.file.Path;

/** A build this replica has accepted and not finished: its work, its live events, and how to stop it. */
public final class Job {
    private final String id;
    private final String kind;
    private final String target;
    private final String submitter;
    private final Work work;
    private final Path dir;
    private final EventLog events;
    private Thread runner;
    private boolean cancelled;
    private boolean done;

    Job(String id, String kind, String target, String submitter, Work work, Path dir, EventLog events) {
        this.id = id;
        this.kind = kind;
        this.target = target;
        this.submitter = submitter;
        this.work = work;
        this.dir = dir;
        this.events = events;
    }

    /** The build's id. */
    public String id() {
        return id;
    }

    String kind() {
        return kind;
    }

    /** The tag it publishes: builds of one tag run one after the other. */
    String target() {
        return target;
    }

    String submitter() {
        return submitter;
    }

    Work work() {
        return work;
    }

    /** Its files' directory ({@code null}: none), removed when it ends. */
    Path dir() {
        return dir;
    }

    /** Its live events. */
    public EventLog events() {
        return events;
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
