package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A client of a running service through java.net.http, as any caller would talk to it. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String base;
    private final String token;

    Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    Api as(String otherToken) {
        return new Api(base, otherToken);
    }

    String base() {
        return base;
    }

    /** A response: status, body as text and JSON (when it is), headers. */
    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    /** One server-sent event. */
    record Event(long id, String type, JsonNode data) {
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    Response post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Response submit(Multipart body) {
        return send(request("/api/v1/builds").header("Content-Type", body.contentType()).POST(body.body()).build());
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits and returns the build's id, asserting the 202. */
    String submitOk(Multipart body) {
        Response response = submit(body);
        if (response.status() != 202) {
            throw new AssertionError("submit: " + response.status() + " " + response.body());
        }
        return response.json().get("id").asText();
    }

    /**
     * Reads the build's event stream until it ends, or until {@code stopAt} accepts an event (then the
     * connection is dropped), from {@code lastEventId} ({@code null}: from the start).
     */
    List<Event> events(String id, Long lastEventId, Predicate<Event> stopAt) {
        HttpRequest.Builder request = request("/api/v1/builds/" + id + "/events").header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        List<Event> events = new ArrayList<>();
        try {
            HttpResponse<java.io.InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new AssertionError("events: " + response.statusCode() + " " + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                long eventId = 0;
                String type = null;
                String data = null;
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("id: ")) {
                        eventId = Long.parseLong(line.substring(4));
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = line.substring(6);
                    } else if (line.isEmpty() && data != null) {
                        Event event = new Event(eventId, type, JSON.readTree(data));
                        events.add(event);
                        data = null;
                        if (stopAt.test(event)) {
                            return events;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return events;
    }

    /** The whole event stream of a build, to its end: the build is over when it returns. */
    List<Event> awaitEnd(String id) {
        return events(id, null, e -> false);
    }

    JsonNode build(String id) {
        Response response = get("/api/v1/builds/" + id);
        if (response.status() != 200) {
            throw new AssertionError(response.status() + " " + response.body());
        }
        return response.json();
    }
}
