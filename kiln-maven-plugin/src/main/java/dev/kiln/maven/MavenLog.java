package dev.kiln.maven;

import dev.kiln.api.LogLines;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import org.apache.maven.plugin.logging.Log;

/** Kiln's build log through Maven's: one line per step, decision and transfer, as the CLI prints them; problems as warnings. */
final class MavenLog implements KilnListener {
    private final Log log;

    MavenLog(Log log) {
        this.log = log;
    }

    @Override
    public void onEvent(KilnEvent event) {
        LogLines.of(event).ifPresent(line -> {
            if (LogLines.isProblem(event)) {
                log.warn("kiln: " + line);
            } else {
                log.info("kiln: " + line);
            }
        });
    }
}
