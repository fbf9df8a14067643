package dev.kiln.internal.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.Telemetry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

/**
 * A tiny HTTP server on a free loopback port for testing one transport layer at a time: it records
 * every request it receives and answers each with what the test's function says.
 */
final class TinyServer implements AutoCloseable {
    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private TinyServer(Function<Seen, Reply> answer) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> handle(exchange, answer));
        server.start();
    }

    /** A server answering every request with {@code answer}'s reply. */
    static TinyServer start(Function<Seen, Reply> answer) {
        return new TinyServer(answer);
    }

    /** {@code 127.0.0.1:port}. */
    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** An absolute {@code http://} URI of {@code path} on this server. */
    URI uri(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    /** Every request received so far, in order. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange exchange, Function<Seen, Reply> answer) throws IOException {
        try (exchange) {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            Seen request = new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            seen.add(request);
            Reply reply = answer.apply(request);
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            boolean empty = body.length == 0 || request.method().equals("HEAD");
            exchange.sendResponseHeaders(reply.status(), empty ? -1 : body.length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A request as the server saw it; header names in lower case. */
    record Seen(String method, String uri, Map<String, String> headers, String body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase()));
        }
    }

    /** What the server answers. */
    record Reply(int status, Map<String, String> headers, String body) {
        static Reply of(int status) {
            return new Reply(status, Map.of(), "");
        }

        Reply header(String name, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, body);
        }

        Reply body(String text) {
            return new Reply(status, headers, text);
        }

        /** A registry error body: {@code {"errors":[{"code":…,"message":…}]}}. */
        Reply error(String code, String message) {
            return header("Content-Type", "application/json")
                    .body("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}");
        }
    }

    /**
     * A server that answers whatever arrives on a connection — an HTTP request or a TLS hello — with
     * one plain-HTTP 200 and closes it, as a plain-HTTP registry does to a client speaking TLS.
     */
    static final class Blunt implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        Blunt() throws IOException {
            socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::serve, "blunt-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (java.net.Socket connection = socket.accept()) {
                    connections.incrementAndGet();
                    connection.setSoTimeout(2000);
                    connection.getInputStream().read(new byte[8192]);
                    connection.getOutputStream().write(
                            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closedOrBroken) {
                    // the next connection, or the end
                }
            }
        }

        String hostPort() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The bottom of every layer under test: the real {@link Wire}, with short timeouts and the system's trust. */
    static Wire wire() {
        return new Wire(authority -> Duration.ofSeconds(2), authority -> Duration.ofSeconds(5), authority -> {
            try {
                return SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }, authority -> false);
    }

    /** A request for {@code registry} to {@code uri}, recording events in {@code events}. */
    static Exchange.Request request(String registry, String method, String uri, List<KilnEvent> events) {
        return new Exchange.Request(registry, method, URI.create(uri), Map.of(), null, "repository:app:pull",
                method + " " + uri, new Telemetry(events::add));
    }
}
