package dev.kiln.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 forwarding proxy on a free loopback port in front of a {@link RegistryFixture}, that
 * injects scripted faults and records every request it sees.
 *
 * <pre>{@code
 * try (RegistryFixture registry = RegistryFixture.plain(); FaultProxy proxy = FaultProxy.start(registry)) {
 *     proxy.on("GET", "/v2/.+/manifests/.+", 2, FaultProxy.Fault.status(503));
 *     proxy.on("GET", "/v2/.+/blobs/sha256:.+", 1, FaultProxy.Fault.resetAfter(100_000));
 *     // pull proxy.hostPort() + "/test/app:1"
 *     assertThat(proxy.requests("GET", "/v2/.+/manifests/.+")).hasSize(3);
 * }
 * }</pre>
 *
 * <p>Requests without a matching rule are forwarded to the registry with {@link HttpClient} (never
 * following redirects) and their responses streamed back: status, headers (a {@code Location}
 * pointing at the registry is rewritten to point at the proxy, so clients stay on it) and body with
 * its {@code Content-Length}. Connections that do not speak HTTP (such as a TLS client hello) are
 * answered {@code 400} in plain text, as the real registry does, so TLS clients fail with an
 * {@code SSLException} and may fall back to plain HTTP; the proxy keeps serving.
 *
 * <p>A second listener, the <em>blob store</em> ({@link #blobStoreHostPort()}), stands for the
 * storage service a registry redirects blob downloads to: it serves {@code GET/HEAD
 * /blobstore/<digest>} straight from the registry's storage directory, without authentication,
 * honours {@code Range: bytes=N-}, and records what it received ({@link #blobStoreRequests()}).
 * {@link Fault#redirectToBlobStore()} sends clients there.
 */
public final class FaultProxy implements AutoCloseable {

    /** For {@link #on}: the rule applies to every matching request. */
    public static final int ALWAYS = Integer.MAX_VALUE;

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "expect");
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final Pattern BLOB_STORE_PATH = Pattern.compile("/blobstore/(sha256):([0-9a-f]{64})");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final HttpClient UPSTREAM = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final RegistryFixture registry;
    private final ServerSocket server;
    private final ServerSocket blobStore;
    private final ExecutorService threads;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Request> blobStoreRequests = new CopyOnWriteArrayList<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger blobStoreFailures = new AtomicInteger();
    private volatile int blobStoreFailureStatus;
    private volatile boolean closed;

    private FaultProxy(RegistryFixture registry) throws IOException {
        this.registry = registry;
        this.server = listen();
        this.blobStore = listen();
        AtomicInteger names = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fault-proxy-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        threads.execute(() -> acceptLoop(server, false));
        threads.execute(() -> acceptLoop(blobStore, true));
    }

    /** Starts a proxy in front of {@code registry} (which it does not own: close both). */
    public static FaultProxy start(RegistryFixture registry) {
        try {
            return new FaultProxy(registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}: use it as the registry part of references to go through the proxy. */
    public String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT} of the blob store endpoint, another authority than {@link #hostPort()}. */
    public String blobStoreHostPort() {
        return "127.0.0.1:" + blobStore.getLocalPort();
    }

    /** The registry behind the proxy. */
    public RegistryFixture registry() {
        return registry;
    }

    /**
     * Injects {@code fault} into the next {@code times} requests whose method is {@code method}
     * ({@code null} or {@code "*"} for any) and whose path (without query) matches {@code pathRegex}
     * entirely. Rules are tried in the order they were added; the first one with uses left wins.
     */
    public Rule on(String method, String pathRegex, int times, Fault fault) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        Rule rule = new Rule(method == null || method.equals("*") ? null : method.toUpperCase(Locale.ROOT),
                Pattern.compile(pathRegex), times, fault);
        rules.add(rule);
        return rule;
    }

    /** Removes every rule; later requests are forwarded untouched. */
    public void clearRules() {
        rules.clear();
    }

    /** Every HTTP request received on the proxy port, in arrival order (faulted ones included). */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests with {@code method} ({@code null} for any) whose path matches {@code pathRegex} entirely. */
    public List<Request> requests(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        return requests.stream()
                .filter(r -> method == null || r.method().equalsIgnoreCase(method))
                .filter(r -> pattern.matcher(r.path()).matches())
                .toList();
    }

    /** Every request received by the blob store endpoint. */
    /** The next {@code times} requests to the blob store are answered {@code status} (a storage back end failing). */
    public void failBlobStore(int times, int status) {
        blobStoreFailures.set(times);
        blobStoreFailureStatus = status;
    }

    public List<Request> blobStoreRequests() {
        return List.copyOf(blobStoreRequests);
    }

    /** Forgets the recorded requests of both endpoints. */
    public void clearRequests() {
        requests.clear();
        blobStoreRequests.clear();
    }

    /** Connections closed because they did not start with an HTTP request (e.g. TLS client hellos). */
    public int rejectedConnections() {
        return rejected.get();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        closeQuietly(blobStore);
        connections.forEach(FaultProxy::closeQuietly);
        threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "FaultProxy[" + hostPort() + " -> " + registry.hostPort() + ", blob store " + blobStoreHostPort() + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Rules, faults and records

    /** One scripted fault: which requests, how many more times, and what happens to them. */
    public static final class Rule {
        private final String method;
        private final Pattern path;
        private final AtomicInteger remaining;
        private final AtomicInteger hits = new AtomicInteger();
        private final AtomicLong bodyBytes = new AtomicLong();
        private final AtomicInteger abandoned = new AtomicInteger();
        private final Fault fault;

        private Rule(String method, Pattern path, int times, Fault fault) {
            this.method = method;
            this.path = path;
            this.remaining = new AtomicInteger(times);
            this.fault = fault;
        }

        /** How many requests this rule has been applied to. */
        public int hits() {
            return hits.get();
        }

        /** The body bytes sent in answers to the requests it applied to (a {@link Fault#slow} body so far). */
        public long bodyBytes() {
            return bodyBytes.get();
        }

        /** How many of its answers' bodies the client stopped reading: it closed the connection before their end. */
        public int abandoned() {
            return abandoned.get();
        }

        /** How many more requests it will apply to ({@link #ALWAYS} stays {@link #ALWAYS}). */
        public int remaining() {
            return remaining.get();
        }

        private boolean claim(String requestMethod, String requestPath) {
            if (method != null && !method.equals(requestMethod)) {
                return false;
            }
            if (!path.matcher(requestPath).matches()) {
                return false;
            }
            int left = remaining.getAndUpdate(n -> n == ALWAYS ? ALWAYS : Math.max(0, n - 1));
            if (left <= 0) {
                return false;
            }
            hits.incrementAndGet();
            return true;
        }

        @Override
        public String toString() {
            return (method == null ? "*" : method) + " " + path + " -> " + fault + " (" + hits + " hits)";
        }
    }

    /** What happens to a request a rule applies to. */
    public static final class Fault {
        private enum Kind { STATUS, DROP, STALL, STALL_AFTER, SLOW, BODY, RESET_AFTER, CLOSE_AFTER, CORRUPT, IGNORE_RANGE, REDIRECT, REDIRECT_TO_BLOB_STORE }

        private final Kind kind;
        private final int status;
        private final Map<String, String> headers;
        private final long bytes;
        private final String location;
        private final Duration pause;

        private final byte[] body;

        private Fault(Kind kind, int status, Map<String, String> headers, long bytes, String location, Duration pause) {
            this(kind, status, headers, bytes, location, pause, null);
        }

        private Fault(Kind kind, int status, Map<String, String> headers, long bytes, String location, Duration pause, byte[] body) {
            this.body = body;
            this.kind = kind;
            this.status = status;
            this.headers = headers;
            this.bytes = bytes;
            this.location = location;
            this.pause = pause;
        }

        /** Answers {@code status} with a registry-style JSON error body, without asking the registry. */
        public static Fault status(int status) {
            return status(status, Map.of());
        }

        /** Answers {@code status} with the given extra headers (e.g. {@code Retry-After}). */
        public static Fault status(int status, Map<String, String> headers) {
            return new Fault(Kind.STATUS, status, Map.copyOf(headers), 0, null, Duration.ZERO);
        }

        /** Closes the connection without answering. */
        public static Fault drop() {
            return new Fault(Kind.DROP, 0, Map.of(), 0, null, Duration.ZERO);
        }

        /**
         * Forwards the request, sends the headers and the first {@code bytes} bytes of the body, then says
         * nothing for {@code pause} (a connection that hangs mid-transfer) before closing it.
         */
        public static Fault stallAfter(long bytes, Duration pause) {
            return new Fault(Kind.STALL_AFTER, 0, Map.of(), bytes, null, pause);
        }

        /** Forwards the request and sends the body {@code bytes} bytes at a time, with {@code pause} after each (a slow link). */
        public static Fault slow(long bytes, Duration pause) {
            return new Fault(Kind.SLOW, 0, Map.of(), bytes, null, pause);
        }

        /** Answers {@code status} with this body and content type, without asking the registry (a lying or broken registry). */
        public static Fault body(int status, String contentType, byte[] content) {
            return new Fault(Kind.BODY, status, Map.of("Content-Type", contentType), 0, null, Duration.ZERO, content.clone());
        }

        /** Says nothing for {@code pause} (a slow or hung server), then forwards the request. */
        public static Fault stall(Duration pause) {
            return new Fault(Kind.STALL, 0, Map.of(), 0, null, pause);
        }

        /**
         * Forwards the request, sends the response headers (with the full {@code Content-Length}) and
         * the first {@code bytes} bytes of the body, then resets the connection (TCP RST). It pauses
         * briefly before the reset so that the client can consume what it was sent: the reset is
         * then seen after exactly {@code bytes} bytes rather than racing with them.
         */
        public static Fault resetAfter(long bytes) {
            return new Fault(Kind.RESET_AFTER, 0, Map.of(), bytes, null, Duration.ofMillis(200));
        }

        /** As {@link #resetAfter} but closes the connection cleanly (FIN): a body shorter than announced. */
        public static Fault closeAfter(long bytes) {
            return new Fault(Kind.CLOSE_AFTER, 0, Map.of(), bytes, null, Duration.ofMillis(200));
        }

        /** Forwards the request and flips every bit of the body byte at {@code offset} (length unchanged). */
        public static Fault corruptByteAt(long offset) {
            return new Fault(Kind.CORRUPT, 0, Map.of(), offset, null, Duration.ZERO);
        }

        /**
         * Forwards the request without its {@code Range} header, as a server that does not support
         * ranges: a resumed download gets the whole body again with {@code 200}.
         */
        public static Fault ignoreRange() {
            return new Fault(Kind.IGNORE_RANGE, 0, Map.of(), 0, null, Duration.ZERO);
        }

        /** Answers {@code status} (a 3xx) with {@code Location: location}. */
        public static Fault redirect(int status, String location) {
            return new Fault(Kind.REDIRECT, status, Map.of(), 0, location, Duration.ZERO);
        }

        /**
         * Answers {@code 307} with a {@code Location} on the blob store endpoint for the digest that
         * ends the request path ({@code /v2/<repo>/blobs/<digest>}).
         */
        public static Fault redirectToBlobStore() {
            return new Fault(Kind.REDIRECT_TO_BLOB_STORE, 307, Map.of(), 0, null, Duration.ZERO);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case STATUS -> "status " + status + (headers.isEmpty() ? "" : " " + headers);
                case DROP -> "drop";
                case STALL -> "stall " + pause.toMillis() + " ms";
                case STALL_AFTER -> "stall " + pause.toMillis() + " ms after " + bytes + " bytes";
                case SLOW -> bytes + " bytes every " + pause.toMillis() + " ms";
                case BODY -> "status " + status + " with a " + body.length + "-byte " + headers.get("Content-Type");
                case RESET_AFTER -> "reset after " + bytes + " bytes";
                case CLOSE_AFTER -> "close after " + bytes + " bytes";
                case CORRUPT -> "corrupt byte " + bytes;
                case IGNORE_RANGE -> "ignore range";
                case REDIRECT -> "redirect " + status + " to " + location;
                case REDIRECT_TO_BLOB_STORE -> "redirect " + status + " to blob store";
            };
        }
    }

    /**
     * A request as received.
     *
     * @param sequence      arrival order over both endpoints
     * @param receivedNanos {@link System#nanoTime()} when the request was read completely
     * @param method        the method
     * @param target        the request target: path and query
     * @param headers       the headers, names lower-cased
     * @param bodyLength    the body's length
     * @param status        the status answered, or 0 if the connection was dropped
     * @param fault         the injected fault, or {@code null} if it was forwarded untouched
     */
    public record Request(long sequence, long receivedNanos, String method, String target,
                          Map<String, List<String>> headers, int bodyLength, int status, String fault) {

        /** The path, without the query. */
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        /** The first value of header {@code name} (case-insensitive). */
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** The {@code Range} header. */
        public Optional<String> range() {
            return header("Range");
        }

        /** The {@code Authorization} header. */
        public Optional<String> authorization() {
            return header("Authorization");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Serving

    /** A parsed request, before it is answered. */
    private record Incoming(String method, String target, List<String[]> headerLines,
                            Map<String, List<String>> headers, byte[] body, long receivedNanos) {
        String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        boolean wantsClose() {
            return header("connection").map(v -> v.equalsIgnoreCase("close")).orElse(false);
        }
    }

    private static ServerSocket listen() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return socket;
    }

    private void acceptLoop(ServerSocket listener, boolean isBlobStore) {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            connections.add(socket);
            try {
                threads.execute(() -> serve(socket, isBlobStore));
            } catch (RuntimeException shuttingDown) {
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket, boolean isBlobStore) {
        try {
            socket.setTcpNoDelay(true);
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            while (!closed) {
                in.mark(1);
                int first = in.read();
                if (first < 0) {
                    return;
                }
                in.reset();
                Incoming request = first >= 'A' && first <= 'Z' ? readRequest(in) : null;
                if (request == null) {
                    reject(socket, out, in);
                    return;
                }
                boolean keepAlive = isBlobStore ? serveBlobStore(request, out) : serveProxy(request, socket, out);
                if (!keepAlive || request.wantsClose()) {
                    out.flush();
                    return;
                }
            }
        } catch (IOException clientGone) {
            // the client closed or reset the connection: nothing to answer
        } finally {
            connections.remove(socket);
            closeQuietly(socket);
        }
    }

    /**
     * Answers a connection that does not speak HTTP (a TLS client hello, garbage) as Go's HTTP server
     * does, then closes it gracefully: the client reads a plain-text response, not a reset.
     */
    private void reject(Socket socket, OutputStream out, InputStream in) throws IOException {
        rejected.incrementAndGet();
        out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                + "400 Bad Request").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.shutdownOutput();
        // drain what the client sends until it closes, so that closing does not reset the connection
        socket.setSoTimeout(2000);
        try {
            in.skip(Long.MAX_VALUE);
            while (in.read() >= 0) {
                in.skip(Long.MAX_VALUE);
            }
        } catch (IOException ignored) {
            // timed out or reset: close anyway
        }
    }

    /** Reads one request; {@code null} when it is not HTTP/1.x. */
    private static Incoming readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || !parts[1].startsWith("/")) {
            return null;
        }
        List<String[]> lines = new ArrayList<>();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int total = requestLine.length();
        for (String line; ; ) {
            line = readLine(in);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                break;
            }
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                return null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            lines.add(new String[]{name, value});
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        }
        byte[] body;
        List<String> encoding = headers.get("transfer-encoding");
        List<String> length = headers.get("content-length");
        if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked(in);
        } else if (length != null) {
            int n = Integer.parseInt(length.get(0).strip());
            body = in.readNBytes(n);
            if (body.length != n) {
                throw new IOException("request body ended early");
            }
        } else {
            body = new byte[0];
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        headers.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Incoming(parts[0], parts[1], lines, java.util.Collections.unmodifiableMap(frozen), body, System.nanoTime());
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("chunked body ended early");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                for (String trailer = readLine(in); trailer != null && !trailer.isEmpty(); trailer = readLine(in)) {
                    // trailers are dropped
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new IOException("chunk ended early");
            }
            body.write(chunk);
            readLine(in);
        }
    }

    /** A CRLF- (or LF-) terminated ISO-8859-1 line without its terminator; {@code null} at EOF or if too long. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_HEADER_BYTES) {
                return null;
            }
            line.append((char) c);
        }
        return null;
    }

    private Rule matchingRule(Incoming request) {
        for (Rule rule : rules) {
            if (rule.claim(request.method(), request.path())) {
                return rule;
            }
        }
        return null;
    }

    private void record(List<Request> into, Incoming request, int status, Fault fault) {
        into.add(new Request(sequence.incrementAndGet(), request.receivedNanos(), request.method(), request.target(),
                request.headers(), request.body().length, status, fault == null ? null : fault.toString()));
    }

    /** Answers one request on the proxy port; returns whether the connection stays usable. */
    private boolean serveProxy(Incoming request, Socket socket, OutputStream out) throws IOException {
        Rule rule = matchingRule(request);
        Fault fault = rule == null ? null : rule.fault;
        if (fault != null) {
            switch (fault.kind) {
                case STATUS -> {
                    record(requests, request, fault.status, fault);
                    byte[] body = ("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected by FaultProxy: status "
                            + fault.status + "\"}]}").getBytes(StandardCharsets.UTF_8);
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("Content-Type", "application/json; charset=utf-8");
                    headers.put("Docker-Distribution-Api-Version", "registry/2.0");
                    headers.putAll(fault.headers);
                    writeHead(out, fault.status, headers, body.length);
                    if (!request.method().equals("HEAD")) {
                        out.write(body);
                    }
                    out.flush();
                    return true;
                }
                case DROP -> {
                    record(requests, request, 0, fault);
                    reset(socket);
                    return false;
                }
                case BODY -> {
                    record(requests, request, fault.status, fault);
                    Map<String, String> headers = new LinkedHashMap<>(fault.headers);
                    headers.put("Docker-Distribution-Api-Version", "registry/2.0");
                    writeHead(out, fault.status, headers, fault.body.length);
                    if (!request.method().equals("HEAD")) {
                        out.write(fault.body);
                    }
                    out.flush();
                    return true;
                }
                case STALL -> {
                    try {
                        Thread.sleep(fault.pause.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                case REDIRECT, REDIRECT_TO_BLOB_STORE -> {
                    String location = fault.location;
                    if (fault.kind == Fault.Kind.REDIRECT_TO_BLOB_STORE) {
                        String path = request.path();
                        location = "http://" + blobStoreHostPort() + "/blobstore/" + path.substring(path.lastIndexOf('/') + 1)
                                + "?signature=fault-proxy";
                    }
                    record(requests, request, fault.status, fault);
                    writeHead(out, fault.status, Map.of("Location", location), 0);
                    out.flush();
                    return true;
                }
                default -> {
                    // forwarded, then damaged below
                }
            }
        }
        return forward(request, rule, socket, out);
    }

    private boolean forward(Incoming request, Rule rule, Socket socket, OutputStream out) throws IOException {
        Fault fault = rule == null ? null : rule.fault;
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + registry.hostPort() + request.target()))
                .timeout(Duration.ofSeconds(60));
        boolean stripRange = fault != null && fault.kind == Fault.Kind.IGNORE_RANGE;
        for (String[] header : request.headerLines()) {
            String lower = header[0].toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !(stripRange && lower.equals("range"))) {
                try {
                    builder.header(header[0], header[1]);
                } catch (IllegalArgumentException restricted) {
                    // a header HttpClient sets itself
                }
            }
        }
        boolean hasBody = request.body().length > 0 || request.header("content-length").isPresent()
                || request.header("transfer-encoding").isPresent();
        builder.method(request.method(), hasBody ? HttpRequest.BodyPublishers.ofByteArray(request.body())
                : HttpRequest.BodyPublishers.noBody());
        HttpResponse<InputStream> response;
        try {
            response = UPSTREAM.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            record(requests, request, 502, fault);
            byte[] body = ("upstream failed: " + e).getBytes(StandardCharsets.UTF_8);
            writeHead(out, 502, Map.of("Content-Type", "text/plain"), body.length);
            out.write(body);
            out.flush();
            return true;
        }
        record(requests, request, response.statusCode(), fault);
        try (InputStream body = response.body()) {
            List<String[]> headers = new ArrayList<>();
            String registryUrl = "http://" + registry.hostPort();
            response.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (HOP_BY_HOP.contains(lower) || lower.startsWith(":")) {
                    return;
                }
                for (String value : values) {
                    if (lower.equals("location") && value.startsWith(registryUrl)) {
                        value = "http://" + hostPort() + value.substring(registryUrl.length());
                    }
                    headers.add(new String[]{name, value});
                }
            });
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            int status = response.statusCode();
            boolean bodyless = request.method().equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200);
            if (bodyless) {
                writeHead(out, status, headers, length.isPresent() ? length.getAsLong() : -2);
                out.flush();
                return true;
            }
            boolean chunked = length.isEmpty();
            if (chunked) {
                headers.add(new String[]{"Transfer-Encoding", "chunked"});
            }
            writeHead(out, status, headers, length.isPresent() ? length.getAsLong() : -2);
            return copyBody(body, out, chunked, rule, socket);
        }
    }

    /** Streams the body, applying a body fault; returns whether the connection stays usable. */
    private boolean copyBody(InputStream body, OutputStream out, boolean chunked, Rule rule, Socket socket) throws IOException {
        Fault fault = rule == null ? null : rule.fault;
        Fault.Kind kind = fault == null ? null : fault.kind;
        long position = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = body.read(buffer)) >= 0; ) {
            if (n == 0) {
                continue;
            }
            if ((kind == Fault.Kind.RESET_AFTER || kind == Fault.Kind.CLOSE_AFTER || kind == Fault.Kind.STALL_AFTER)
                    && position + n >= fault.bytes) {
                int keep = (int) (fault.bytes - position);
                writeChunk(out, buffer, keep, chunked);
                out.flush();
                pause(fault.pause);
                if (kind == Fault.Kind.RESET_AFTER) {
                    reset(socket);
                } else {
                    socket.shutdownOutput();
                }
                return false;
            }
            if (kind == Fault.Kind.CORRUPT && fault.bytes >= position && fault.bytes < position + n) {
                int index = (int) (fault.bytes - position);
                buffer[index] = (byte) ~buffer[index];
            }
            if (kind == Fault.Kind.SLOW) {
                writeSlowly(out, buffer, n, chunked, rule);
            } else {
                writeChunk(out, buffer, n, chunked);
            }
            position += n;
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
        return true;
    }

    /** Writes {@code n} bytes in the rule's pieces with its pause after each, counted in the rule; a client gone is counted too. */
    private static void writeSlowly(OutputStream out, byte[] buffer, int n, boolean chunked, Rule rule) throws IOException {
        for (int offset = 0; offset < n; ) {
            int piece = (int) Math.min(rule.fault.bytes, n - offset);
            byte[] part = Arrays.copyOfRange(buffer, offset, offset + piece);
            try {
                writeChunk(out, part, piece, chunked);
                out.flush();
            } catch (IOException e) {
                rule.abandoned.incrementAndGet();
                throw e;
            }
            rule.bodyBytes.addAndGet(piece);
            offset += piece;
            pause(rule.fault.pause);
        }
    }

    private static void writeChunk(OutputStream out, byte[] buffer, int n, boolean chunked) throws IOException {
        if (n <= 0) {
            return;
        }
        if (chunked) {
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write(buffer, 0, n);
        if (chunked) {
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** Answers one request on the blob store port from the registry's storage. */
    private boolean serveBlobStore(Incoming request, OutputStream out) throws IOException {
        if (blobStoreFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            record(blobStoreRequests, request, blobStoreFailureStatus, null);
            writeHead(out, blobStoreFailureStatus, Map.of("Content-Type", "text/plain"), 0);
            out.flush();
            return true;
        }
        Matcher m = BLOB_STORE_PATH.matcher(request.path());
        boolean known = (request.method().equals("GET") || request.method().equals("HEAD")) && m.matches();
        Path data = known ? registry.rootDirectory().resolve("docker/registry/v2/blobs").resolve(m.group(1))
                .resolve(m.group(2).substring(0, 2)).resolve(m.group(2)).resolve("data") : null;
        if (data == null || !Files.isRegularFile(data)) {
            record(blobStoreRequests, request, 404, null);
            writeHead(out, 404, Map.of("Content-Type", "text/plain"), 0);
            out.flush();
            return true;
        }
        long size = Files.size(data);
        long start = 0;
        Matcher range = RANGE.matcher(request.header("range").orElse(""));
        if (range.matches()) {
            start = Long.parseLong(range.group(1));
        }
        if (start > size) {
            record(blobStoreRequests, request, 416, null);
            writeHead(out, 416, Map.of("Content-Range", "bytes */" + size), 0);
            out.flush();
            return true;
        }
        int status = range.matches() ? 206 : 200;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("Accept-Ranges", "bytes");
        if (status == 206) {
            headers.put("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
        }
        record(blobStoreRequests, request, status, null);
        writeHead(out, status, headers, size - start);
        if (request.method().equals("GET")) {
            try (InputStream in = Files.newInputStream(data)) {
                in.skipNBytes(start);
                in.transferTo(out);
            }
        }
        out.flush();
        return true;
    }

    /** Status line and headers; {@code contentLength} -2 means none is written. */
    private static void writeHead(OutputStream out, int status, Map<String, String> headers, long contentLength) throws IOException {
        List<String[]> lines = new ArrayList<>();
        headers.forEach((name, value) -> lines.add(new String[]{name, value}));
        writeHead(out, status, lines, contentLength);
    }

    private static void writeHead(OutputStream out, int status, List<String[]> headers, long contentLength) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach(header -> head.append(header[0]).append(": ").append(header[1]).append("\r\n"));
        if (contentLength >= 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }

    /** Closes with a TCP RST (linger 0) instead of a FIN. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing is what matters
        }
        closeQuietly(socket);
    }

    private static void pause(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
