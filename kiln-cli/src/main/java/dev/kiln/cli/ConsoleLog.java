package dev.kiln.cli;

import dev.kiln.api.LogLines;
import dev.kiln.api.Units;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders Kiln's events for people: one line per step and cache decision with elapsed time and
 * bytes, and, on a terminal, one progress bar line for transfers that take more than a second.
 */
final class ConsoleLog implements KilnListener {
    private static final long BAR_AFTER_NANOS = 1_000_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintWriter err;
    private final boolean quiet;
    private final boolean progressBars;
    private final long startNanos = System.nanoTime();
    private final Map<String, Transfer> active = new ConcurrentHashMap<>();
    private boolean barShown;
    private volatile boolean workStarted;

    private static final class Transfer {
        final long size;
        final long started = System.nanoTime();
        volatile long done;

        Transfer(long size) {
            this.size = size;
        }
    }

    ConsoleLog(PrintWriter err, boolean quiet, boolean progressBars) {
        this.err = err;
        this.quiet = quiet;
        this.progressBars = progressBars && !quiet;
    }

    @Override
    public synchronized void onEvent(KilnEvent event) {
        workStarted |= !(event instanceof KilnEvent.Warning);
        if (event instanceof KilnEvent.TransferStarted t) {
            active.put(t.digest(), new Transfer(t.size()));
        } else if (event instanceof KilnEvent.TransferProgress p) {
            Transfer transfer = active.get(p.digest());
            if (transfer != null) {
                transfer.done = p.transferred();
                drawBar();
            }
        } else if (event instanceof KilnEvent.TransferFinished t) {
            active.remove(t.digest());
        }
        boolean problem = LogLines.isProblem(event);
        if (!quiet || problem) {   // quiet: a Flink build's ~200 step lines are not even formatted
            LogLines.of(event).ifPresent(this::line);
        }
        if (event instanceof KilnEvent.TransferFinished) {
            drawBar();
        }
    }

    /** Whether the operation has begun its work (a step, a cache decision, a transfer): what fails after it is no usage error. */
    boolean workStarted() {
        return workStarted;
    }

    private void line(String text) {
        clearBar();
        err.printf(Locale.ROOT, "[%6.2fs] %s%n", (System.nanoTime() - startNanos) / 1e9, text);
    }

    private void drawBar() {
        if (!progressBars) {
            return;
        }
        long now = System.nanoTime();
        long size = 0;
        long done = 0;
        boolean slow = false;
        for (Transfer t : active.values()) {
            size += Math.max(t.size, 0);
            done += t.done;
            slow |= now - t.started > BAR_AFTER_NANOS;
        }
        if (!slow || size == 0) {
            clearBar();
            return;
        }
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / size);
        err.print("\r" + Output.count(active.size(), "transfer") + " [" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] "
                + Units.formatSize(done) + " / " + Units.formatSize(size) + "   ");
        err.flush();
        barShown = true;
    }

    private void clearBar() {
        if (barShown) {
            err.print("\r\033[K");
            barShown = false;
        }
    }
}
