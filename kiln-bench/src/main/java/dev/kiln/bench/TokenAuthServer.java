package dev.kiln.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.testing.TokenServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The token server of {@code bench/run}'s token-auth registry: kiln-core's test {@link TokenServer}
 * (the Docker Bearer-token flow, RS256 JWTs) on a free loopback port, granting what is asked to one
 * user, plus a control port whose {@code GET /count} answers
 * {@code {"tokenRequests": N, "scopes": [...]}} so that the harness can count the token round trips of
 * each build.
 *
 * <pre>java -cp kiln-bench.jar dev.kiln.bench.TokenAuthServer USER PASSWORD_FILE CERT_OUT</pre>
 *
 * Writes the certificate the registry must trust ({@code auth.token.rootcertbundle}) to CERT_OUT,
 * prints {@code token-port N control-port M} on stdout, and serves until the process is stopped. The
 * registry's {@code auth.token.service} and {@code issuer} are {@link TokenServer#SERVICE} and
 * {@link TokenServer#ISSUER}; the harness puts a delaying proxy in front of the token port and names
 * that proxy as the realm.
 */
public final class TokenAuthServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenAuthServer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java -cp kiln-bench.jar dev.kiln.bench.TokenAuthServer USER PASSWORD_FILE CERT_OUT");
            System.exit(2);
        }
        Running running = start(args[0], Files.readString(Path.of(args[1])).strip(), Path.of(args[2]));
        System.out.println("token-port " + running.tokenPort() + " control-port " + running.controlPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    }

    /** A started token server and its control port. */
    record Running(TokenServer tokens, HttpServer control) implements AutoCloseable {
        int tokenPort() {
            return URI.create(tokens.realm()).getPort();
        }

        int controlPort() {
            return control.getAddress().getPort();
        }

        @Override
        public void close() {
            control.stop(0);
            tokens.close();
        }
    }

    /** Starts the token server for {@code user}/{@code password}, writes its certificate to {@code certOut}. */
    static Running start(String user, String password, Path certOut) throws IOException {
        TokenServer tokens = TokenServer.start(user, password);
        Files.writeString(certOut, tokens.rootCertificatePem());
        HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/count", exchange -> count(exchange, tokens));
        control.start();
        return new Running(tokens, control);
    }

    private static void count(HttpExchange exchange, TokenServer tokens) throws IOException {
        try (exchange) {
            ObjectNode body = JSON.createObjectNode().put("tokenRequests", tokens.tokenRequests());
            ArrayNode scopes = body.putArray("scopes");
            tokens.requestedScopes().forEach(scopes::add);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
