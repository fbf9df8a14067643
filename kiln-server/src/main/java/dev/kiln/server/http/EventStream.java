package dev.kiln.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.server.builds.BuildService;
import dev.kiln.server.builds.EventLog;
import dev.kiln.server.history.BuildRecord;
import dev.kiln.server.history.History;
import dev.kiln.server.history.StoredEvent;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code GET /api/v1/builds/{id}/events} (and {@code /builds/changes}, see {@link #serveChanges}) as Server-Sent Events: each event one {@code data:} line of
 * JSON with its sequence number as {@code id} and its type as {@code event}. A client that comes back
 * with {@code Last-Event-ID} gets what followed; a finished build's stream replays its events and ends.
 * A build this replica runs is followed live; one that another replica runs is followed through the
 * shared history.
 */
final class EventStream {
    private static final long WAIT_MILLIS = 15_000;
    private static final long POLL_MILLIS = 500;
    private static final int CHANGES_WINDOW = 200;

    private EventStream() {
    }

    static void serve(Context ctx, BuildService service, History history) throws IOException, InterruptedException {
        String id = ctx.pathParam("id");
        Optional<EventLog> live = service.live(id).map(j -> j.events());
        if (live.isEmpty() && history.find(id).isEmpty()) {
            throw ApiException.notFound("no build " + id);
        }
        long last = lastEventId(ctx);
        boolean times = "true".equals(ctx.queryParam("times"));
        OutputStream out = open(ctx);
        write(out, ": build " + id + "\n\n");
        out.flush();
        if (live.isPresent()) {
            EventLog log = live.get();
            while (true) {
                List<StoredEvent> events = log.after(last, WAIT_MILLIS);
                for (StoredEvent event : events) {
                    send(out, event, times);
                    last = event.seq();
                }
                if (events.isEmpty()) {
                    if (log.closed()) {
                        break;
                    }
                    write(out, ": waiting\n\n");
                }
                out.flush();
            }
            return;
        }
        // elsewhere or over: the history has every event once the build's status is final
        long idle = 0;
        while (true) {
            boolean over = history.find(id).map(BuildRecord::finished).orElse(true);
            List<StoredEvent> events = history.events(id, last);
            for (StoredEvent event : events) {
                send(out, event, times);
                last = event.seq();
            }
            out.flush();
            if (over) {
                break;
            }
            Thread.sleep(POLL_MILLIS);
            idle += POLL_MILLIS;
            if (events.isEmpty() && idle >= WAIT_MILLIS) {
                write(out, ": waiting\n\n");
                idle = 0;
                out.flush();
            }
        }
    }

    /**
     * {@code GET /api/v1/builds/changes}: an event {@code changed} when the stream opens and whenever a build
     * among the newest {@value #CHANGES_WINDOW} is submitted or changes status, so that a list of builds updates
     * without asking again and again. Read from the shared history, so builds on every replica count; a comment
     * every 15 s while nothing changes; it ends when the client goes.
     */
    static void serveChanges(Context ctx, History history) throws IOException, InterruptedException {
        OutputStream out = open(ctx);
        write(out, ": build changes\n\n");
        out.flush();
        String seen = null;
        long sent = 0;
        long idle = 0;
        while (true) {
            String now = history.list(null, null, CHANGES_WINDOW).stream().map(b -> b.id() + " " + b.status())
                    .collect(Collectors.joining(","));
            if (!now.equals(seen)) {
                seen = now;
                idle = 0;
                write(out, "id: " + ++sent + "\nevent: changed\ndata: {}\n\n");
            } else if ((idle += POLL_MILLIS) >= WAIT_MILLIS) {
                write(out, ": waiting\n\n");
                idle = 0;
            }
            out.flush();
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static OutputStream open(Context ctx) throws IOException {
        var res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        return res.getOutputStream();
    }

    private static long lastEventId(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        String value = header != null ? header : ctx.queryParam("lastEventId");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Last-Event-ID must be an event's sequence number, not '" + value + "'");
        }
    }

    private static void send(OutputStream out, StoredEvent event, boolean times) throws IOException {
        write(out, "id: " + event.seq() + "\nevent: " + event.type() + "\ndata: " + (times ? withTime(event) : event.data()) + "\n\n");
    }

    /**
     * With {@code ?times=true} (the dashboard's, which shows each line's elapsed time): the event's fields
     * with {@code at}, when it happened (RFC 3339), first. Without it the data is the event's own fields
     * only, as clients that read them into the event types expect.
     */
    private static String withTime(StoredEvent event) throws IOException {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("at", Instant.ofEpochMilli(event.at()).toString());
        JsonNode fields = Json.MAPPER.readTree(event.data());
        if (fields instanceof ObjectNode object) {
            data.setAll(object);
        }
        return Json.MAPPER.writeValueAsString(data);
    }

    /** Writes {@code text} unflushed: the callers flush once per batch of events (a build sends hundreds at once). */
    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
