package dev.kiln.internal.registry;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One HTTP exchange, without auth, redirects or retries (the layers above do those): the bottom
 * {@link Exchange} of the {@link RegistryTransport}.
 * Requests go through {@link HttpURLConnection}: it streams bodies straight from and to the socket,
 * measured here at 4× the throughput of {@link HttpClient}'s input-stream pipeline, which matters
 * for layers of hundreds of MB. {@link HttpClient} carries what HttpURLConnection cannot send: PATCH
 * (chunked uploads).
 */
final class Wire implements Exchange {
    private static final String USER_AGENT = "kiln";

    /**
     * Initialises the JDK's HTTP client (URL handlers, {@code HttpURLConnection}'s network properties) without
     * connecting: ~10 ms a short-lived process's first request otherwise spends.
     */
    static void warmUp() {
        try {
            URI.create("http://127.0.0.1/").toURL().openConnection();
        } catch (IOException e) {
            // nothing to warm then: the first request will say what is wrong
        }
    }

    private final Function<String, Duration> connectTimeout;
    private final Function<String, Duration> readTimeout;
    private final Function<String, SSLContext> tls;
    private final Function<String, Boolean> skipHostnameCheck;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /** Timeouts per authority ({@code host[:port]}): mirrors have shorter ones. */
    Wire(Function<String, Duration> connectTimeout, Function<String, Duration> readTimeout, Function<String, SSLContext> tls, Function<String, Boolean> skipHostnameCheck) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.tls = tls;
        this.skipHostnameCheck = skipHostnameCheck;
    }

    @Override
    public RegistryResponse send(Request request) throws IOException {
        // HttpURLConnection does not heed interrupts: a thread interrupted (a cancelled build) makes no further request
        if (Thread.currentThread().isInterrupted()) {
            throw Exchange.interrupted(request.what());
        }
        Map<String, String> headers = new HashMap<>(request.headers());
        headers.put("User-Agent", USER_AGENT);
        try {
            return send(request.uri(), request.method(), headers, request.body());
        } catch (InterruptedException e) {
            throw Exchange.interrupted(request.what());
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw Exchange.interrupted(request.what());   // its connection was closed to stop it: no retry
            }
            throw e;
        }
    }

    private RegistryResponse send(URI uri, String method, Map<String, String> headers, RequestBody body)
            throws IOException, InterruptedException {
        if (!method.equals("PATCH")) {
            return exchange(uri, method, headers, body);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(readTimeout.apply(uri.getAuthority())).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body.content()), body.length()));
        headers.forEach(builder::header);
        HttpResponse<InputStream> response = client(uri).send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new RegistryResponse(response.statusCode(), response.headers().map(), response.body(), response.uri());
    }

    private RegistryResponse exchange(URI uri, String method, Map<String, String> headers, RequestBody body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        // until its body is closed, the connection is closed when the thread is stopped (InFlight.interrupt)
        Runnable release = InFlight.open(connection::disconnect);
        try {
            stopIfInterrupted();
            return exchange(connection, uri, method, headers, body, release);
        } catch (IOException | RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private static void stopIfInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    private RegistryResponse exchange(HttpURLConnection connection, URI uri, String method, Map<String, String> headers, RequestBody body,
                                      Runnable release) throws IOException {
        if (connection instanceof HttpsURLConnection https) {
            String authority = uri.getAuthority();
            https.setSSLSocketFactory(tls.apply(authority).getSocketFactory());
            if (skipHostnameCheck.apply(authority)) {
                HostnameVerifier any = (host, session) -> true;
                https.setHostnameVerifier(any);
            }
        }
        connection.setRequestMethod(method);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout((int) connectTimeout.apply(uri.getAuthority()).toMillis());
        connection.setReadTimeout((int) readTimeout.apply(uri.getAuthority()).toMillis());
        headers.forEach(connection::setRequestProperty);
        if (body != null) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length());
            try (InputStream in = new Interruptible(body.content().get(), () -> { }); OutputStream out = connection.getOutputStream()) {
                copy(in, out);
            }
        }
        int status = connection.getResponseCode();
        InputStream responseBody = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        return new RegistryResponse(status, connection.getHeaderFields(),
                new Interruptible(responseBody == null ? InputStream.nullInputStream() : responseBody, release), uri);
    }

    /** Copies in 256 KiB writes: a layer of hundreds of MB in a few thousand system calls, not tens of thousands. */
    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[256 << 10];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    /**
     * A body that stops at the next read once its thread is interrupted (a thread reading a slow
     * body), and runs {@code onEnd} once, at its end or when closed: a connection read to its end may
     * serve another request (keep-alive) and must no longer be closed for this one.
     */
    private static final class Interruptible extends FilterInputStream {
        private Runnable onEnd;

        Interruptible(InputStream in, Runnable onEnd) {
            super(in);
            this.onEnd = onEnd;
        }

        @Override
        public int read() throws IOException {
            stopIfInterrupted();
            return ended(super.read());
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            stopIfInterrupted();
            return ended(super.read(buffer, offset, length));
        }

        private int ended(int read) {
            if (read < 0) {
                end();
            }
            return read;
        }

        private void end() {
            Runnable once = onEnd;
            onEnd = null;
            if (once != null) {
                once.run();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                end();
            }
        }
    }

    private HttpClient client(URI uri) {
        String key = uri.getScheme() + "://" + uri.getAuthority();
        return clients.computeIfAbsent(key, k -> {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(connectTimeout.apply(uri.getAuthority()));
            if (uri.getScheme().equals("https")) {
                builder.sslContext(tls.apply(uri.getAuthority()));
            }
            return builder.build();
        });
    }
}
