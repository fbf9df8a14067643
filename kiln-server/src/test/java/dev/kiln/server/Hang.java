package dev.kiln.server;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A "registry" on a free loopback port that answers every request {@code 429} with a long
 * {@code Retry-After}: a build whose base is here waits (Kiln honours the header, up to a minute) until
 * it is cancelled, so tests can hold builds running. A test peer made with the JDK's own HTTP server.
 */
final class Hang implements AutoCloseable {
    private final HttpServer server;

    Hang() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "3600");
            exchange.sendResponseHeaders(429, -1);
            exchange.close();
        });
        server.start();
    }

    /** An image reference on this "registry". */
    String ref(String repoAndTag) {
        return "127.0.0.1:" + server.getAddress().getPort() + "/" + repoAndTag;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
