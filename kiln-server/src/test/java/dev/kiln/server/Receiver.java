package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A webhook receiver on a free loopback port (the JDK's HTTP server): fails the first {@code failures} POSTs with 500, keeps the rest. */
final class Receiver implements AutoCloseable {
    private final HttpServer server;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();

    Receiver(int failures) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean fail = attempts.incrementAndGet() <= failures;
            if (!fail) {
                received.add(Api.JSON.readTree(body));
            }
            exchange.sendResponseHeaders(fail ? 500 : 204, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook?key=hook-secret";
    }

    int attempts() {
        return attempts.get();
    }

    /** The first payload received that {@code matches}, waiting for it (a minute at most: the webhook is asynchronous). */
    JsonNode await(Predicate<JsonNode> matches) throws InterruptedException {
        for (JsonNode old : seen) {
            if (matches.test(old)) {
                return old;
            }
        }
        while (true) {
            JsonNode next = received.poll(60, TimeUnit.SECONDS);
            if (next == null) {
                throw new AssertionError("no matching webhook payload; received " + seen);
            }
            seen.add(next);
            if (matches.test(next)) {
                return next;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
