package dev.kiln.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.internal.registry.RegistryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real registry (Debian's {@code docker-registry}, CNCF Distribution 2.8) on a free loopback port,
 * storing into a temporary directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (RegistryFixture registry = RegistryFixture.tokenAuth()) {
 *     // push to registry.hostPort() + "/test/app:1" with registry.username() / registry.password()
 *     long mark = registry.mark();
 *     // pull again
 *     assertThat(registry.requestsSince(mark)).isEmpty();
 * }
 * }</pre>
 *
 * <p>Request counting reads the registry's access log. Because the registry writes a request's log
 * line only after answering it, {@link #mark()}, {@link #requests()} and {@link #requestsSince(long)}
 * wait 30 ms for such lines, then send a sentinel request ({@code GET /v2/_kiln_sentinel/UUID}, answered 404 and
 * never counted) and wait for its line: every request whose response the caller has received is then in the log.
 *
 * <p>{@link #tls()} serves HTTPS only, with a self-signed certificate for {@code 127.0.0.1} made at
 * test time ({@link #caCertificate()}); the fixture's own requests trust it, and
 * {@link #registryOptions()} gives Kiln's registry client the options that do the same.
 */
public final class RegistryFixture implements AutoCloseable {

    private static final String USERNAME = "kiln";
    private static final String PASSWORD = "kiln-test-password";
    private static final String SENTINEL_PREFIX = "/v2/_kiln_sentinel/";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LOG_SETTLE = Duration.ofMillis(30);
    private static final int START_ATTEMPTS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile String htpasswdLine;

    static {
        // Safety net for fixtures a test forgot to close: never leave registries behind the JVM.
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "kiln-registry-reaper"));
    }

    private enum Auth { NONE, BASIC, TOKEN }

    private final Auth auth;
    private final boolean tls;
    /** For the fixture's own requests (readiness probe, sentinels): trusts the certificate of a TLS registry. */
    private final HttpClient http;
    private final RegistryFixture origin;
    private final Path directory;
    private final Path storage;
    private final Path logFile;
    /** The access-log entries read so far, and how far the log file has been read. */
    private final List<AccessLogEntry> entries = new ArrayList<>();
    /** The body bytes sent for each of {@link #entries}, from the same log lines. */
    private final List<Long> entryBytes = new ArrayList<>();
    private long logOffset;
    private TokenServer tokenServer;
    private Process process;
    private int port;
    private long startMark;
    private boolean closed;

    private RegistryFixture(Auth auth, boolean tls, RegistryFixture origin) throws IOException {
        this.auth = auth;
        this.tls = tls;
        this.http = tls ? trustingClient(SigningKey.tlsServer()) : HTTP;
        this.origin = origin;
        this.directory = Files.createTempDirectory("kiln-registry-");
        this.storage = Files.createDirectories(directory.resolve("storage"));
        this.logFile = directory.resolve("registry.log");
    }

    /** A registry without authentication. */
    public static RegistryFixture plain() {
        return start(Auth.NONE, false, null);
    }

    /**
     * A registry without authentication that speaks HTTPS only, with a self-signed certificate for
     * {@code 127.0.0.1} and {@code localhost} ({@link #caCertificate()}). A plain HTTP request gets
     * Go's {@code 400 Bad Request} "Client sent an HTTP request to an HTTPS server." and is not logged.
     */
    public static RegistryFixture tls() {
        return start(Auth.NONE, true, null);
    }

    /** A registry with htpasswd Basic authentication for {@link #username()}/{@link #password()}. */
    public static RegistryFixture basicAuth() {
        return start(Auth.BASIC, false, null);
    }

    /**
     * A registry with Bearer token authentication; its realm is a {@link TokenServer} that grants
     * what is asked to {@link #username()}/{@link #password()} and nothing to anonymous requests.
     */
    public static RegistryFixture tokenAuth() {
        return start(Auth.TOKEN, false, null);
    }

    /**
     * A pull-through cache ({@code proxy.remoteurl}) of {@code origin}, without authentication of its
     * own; it uses the origin's credentials, if any, and trusts the certificate of a {@link #tls()}
     * origin. The cache itself speaks plain HTTP. Distribution refuses pushes to a cache.
     */
    public static RegistryFixture proxyOf(RegistryFixture origin) {
        return start(Auth.NONE, false, origin);
    }

    private static RegistryFixture start(Auth auth, boolean tls, RegistryFixture origin) {
        RegistryFixture fixture = null;
        try {
            fixture = new RegistryFixture(auth, tls, origin);
            fixture.start();
            return fixture;
        } catch (IOException e) {
            closeQuietly(fixture);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(fixture);
            throw e;
        }
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://127.0.0.1:PORT} for a {@link #tls()} registry. */
    public String url() {
        return (tls ? "https://" : "http://") + hostPort();
    }

    /** Whether this registry speaks HTTPS ({@link #tls()}). */
    public boolean isTls() {
        return tls;
    }

    /** The PEM file of the self-signed certificate of a {@link #tls()} registry, its own CA. */
    public Path caCertificate() {
        if (!tls) {
            throw new IllegalStateException(this + " does not use TLS");
        }
        return directory.resolve("tls-cert.pem");
    }

    /**
     * Options for a Kiln registry client that reaches this registry: the defaults, plus
     * {@link #caCertificate()} as the CA file of {@link #hostPort()} for a {@link #tls()} registry.
     */
    public RegistryOptions registryOptions() {
        RegistryOptions defaults = RegistryOptions.defaults();
        return tls ? defaults.withCaFiles(Map.of(hostPort(), caCertificate())) : defaults;
    }

    /** The registry's output: its own log lines and the access log. */
    public Path logFile() {
        return logFile;
    }

    /** The filesystem storage root; blobs live under {@code docker/registry/v2/blobs/sha256/}. */
    public Path rootDirectory() {
        return storage;
    }

    /**
     * Waits until this registry stores every blob of {@code image} (a pull-through cache serves a blob
     * while it fetches it again from its upstream to store it, in the background): only then does a
     * later pull leave the upstream alone.
     */
    public void awaitStored(TestImages.Pushed image) {
        List<Path> blobs = new ArrayList<>();
        blobs.add(blobData(image.config().digest()));
        image.layers().forEach(layer -> blobs.add(blobData(layer.digest())));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!blobs.stream().allMatch(Files::isRegularFile)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(this + " did not store " + blobs.stream().filter(b -> !Files.isRegularFile(b)).toList());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        try {
            Thread.sleep(200);   // the upstream fetch's access-log line follows the stored data
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path blobData(dev.kiln.image.Digest digest) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    }

    /** The user the registry (or its token server) accepts; only for authenticated registries. */
    public String username() {
        requireAuth();
        return USERNAME;
    }

    /** The password of {@link #username()}; only for authenticated registries. */
    public String password() {
        requireAuth();
        return PASSWORD;
    }

    /** {@code user:password} (as {@link Skopeo} wants it), or {@code null} if there is no authentication. */
    public String credentials() {
        return auth == Auth.NONE ? null : USERNAME + ":" + PASSWORD;
    }

    /** The token server of a {@link #tokenAuth()} registry. */
    public TokenServer tokenServer() {
        if (tokenServer == null) {
            throw new IllegalStateException(this + " has no token server");
        }
        return tokenServer;
    }

    /** Every request the registry has answered since it started (not counting the fixture's own). */
    public List<AccessLogEntry> requests() {
        return requestsSince(startMark);
    }

    /** A position in the access log, for {@link #requestsSince(long)}; all answered requests are before it. */
    public synchronized long mark() {
        return syncedEntries().size();
    }

    /** The requests answered after {@code mark} was taken, in log order. */
    public synchronized List<AccessLogEntry> requestsSince(long mark) {
        List<AccessLogEntry> entries = syncedEntries();
        if (mark < 0 || mark >= entries.size()) {
            throw new IllegalArgumentException("not a mark of " + this + ": " + mark);
        }
        return entries.subList((int) mark, entries.size() - 1).stream()
                .filter(entry -> !entry.path().startsWith(SENTINEL_PREFIX))
                .toList();
    }

    /** The body bytes the registry logged as sent for the requests {@code which} selects, answered after {@code mark}. */
    public synchronized long bytesSentSince(long mark, java.util.function.Predicate<AccessLogEntry> which) {
        List<AccessLogEntry> synced = syncedEntries();
        long total = 0;
        for (int i = (int) mark; i < synced.size() - 1; i++) {
            if (which.test(synced.get(i))) {
                total += entryBytes.get(i);
            }
        }
        return total;
    }

    /** Stops the registry and its token server and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process != null) {
                stop(process);
            }
        } finally {
            if (tokenServer != null) {
                tokenServer.close();
            }
            deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        String kind = origin != null ? "proxy of " + origin.hostPort()
                : tls ? "tls" : auth.name().toLowerCase(Locale.ROOT);
        return "RegistryFixture[" + kind + " at " + hostPort() + "]";
    }

    private void start() throws IOException {
        switch (auth) {
            case BASIC -> Files.writeString(directory.resolve("htpasswd"), htpasswdLine() + "\n");
            case TOKEN -> {
                tokenServer = TokenServer.start(USERNAME, PASSWORD);
                Files.writeString(directory.resolve("token-root.pem"), tokenServer.rootCertificatePem());
            }
            case NONE -> { }
        }
        if (tls) {
            SigningKey key = SigningKey.tlsServer();
            Files.writeString(caCertificate(), key.certificatePem());
            Files.writeString(directory.resolve("tls-key.pem"), key.privateKeyPem());
        }
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            entries.clear();
            entryBytes.clear();
            logOffset = 0;
            Path config = directory.resolve("config.yml");
            Files.writeString(config, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config()));
            ProcessBuilder builder = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            // REGISTRY_* variables override the configuration file.
            builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
            if (origin != null && origin.tls) {
                // Go reads its trust store from SSL_CERT_FILE: the cache trusts (only) the origin's certificate
                builder.environment().put("SSL_CERT_FILE", origin.caCertificate().toString());
            }
            process = builder.start();
            RUNNING.add(process);
            if (awaitReady()) {
                startMark = mark();
                return;
            }
            stop(process);
            String log = log();
            if (!log.contains("address already in use") || attempt == START_ATTEMPTS) {
                throw new IllegalStateException("docker-registry exited with code " + process.exitValue()
                        + " before serving " + url() + "; its log:\n" + log);
            }
        }
    }

    /**
     * The whole registry configuration. It is written as JSON, which the registry's YAML parser
     * reads as well, so that paths and URLs need no YAML quoting.
     */
    private ObjectNode config() {
        ObjectNode config = JSON.createObjectNode().put("version", "0.1");
        ObjectNode log = config.putObject("log").put("level", "info");
        log.putObject("accesslog").put("disabled", false);
        ObjectNode storageNode = config.putObject("storage");
        storageNode.putObject("filesystem").put("rootdirectory", storage.toString());
        storageNode.putObject("delete").put("enabled", true);
        // no background job deleting "stale" uploads under a test's feet
        storageNode.putObject("maintenance").putObject("uploadpurging").put("enabled", false);
        ObjectNode httpNode = config.putObject("http").put("addr", hostPort()).put("secret", "kiln-test-http-secret");
        if (tls) {
            httpNode.putObject("tls")
                    .put("certificate", caCertificate().toString())
                    .put("key", directory.resolve("tls-key.pem").toString());
        }
        config.putObject("health").putObject("storagedriver").put("enabled", false);
        switch (auth) {
            case BASIC -> config.putObject("auth").putObject("htpasswd")
                    .put("realm", "kiln-test")
                    .put("path", directory.resolve("htpasswd").toString());
            case TOKEN -> config.putObject("auth").putObject("token")
                    .put("realm", tokenServer.realm())
                    .put("service", TokenServer.SERVICE)
                    .put("issuer", TokenServer.ISSUER)
                    .put("rootcertbundle", directory.resolve("token-root.pem").toString());
            case NONE -> { }
        }
        if (origin != null) {
            ObjectNode proxy = config.putObject("proxy").put("remoteurl", origin.url());
            if (origin.auth != Auth.NONE) {
                proxy.put("username", USERNAME).put("password", PASSWORD);
            }
        }
        return config;
    }

    /** True once the registry answers {@code GET /v2/}, false if it exited; throws on timeout. */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if ((response.statusCode() == 200 || response.statusCode() == 401)
                        && response.headers().firstValue("Docker-Distribution-Api-Version").isPresent()) {
                    return true;
                }
            } catch (IOException notListeningYet) {
                // retry
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(50);
        }
        throw new IllegalStateException("docker-registry did not answer " + url() + "/v2/ within "
                + STARTUP_TIMEOUT + "; its log:\n" + log());
    }

    /**
     * All access-log entries up to and including the line of a fresh sentinel request, so that every
     * request answered before this call is included.
     */
    private List<AccessLogEntry> syncedEntries() {
        // the registry logs a request after its handler returns, which can be just after the client has read the
        // whole response: give such lines a moment to land before the sentinel's, or a mark counts them as later
        // and requestsSince misses them
        try {
            Thread.sleep(LOG_SETTLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String sentinel = SENTINEL_PREFIX + UUID.randomUUID();
        try {
            http.send(HttpRequest.newBuilder(URI.create(url() + sentinel)).timeout(LOG_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException(this + " does not answer; its log:\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
        int searched = 0;
        while (true) {
            readNewLogLines();
            for (int i = searched; i < entries.size(); i++) {
                if (entries.get(i).path().equals(sentinel)) {
                    return List.copyOf(entries.subList(0, i + 1));
                }
            }
            searched = entries.size();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the access log of " + this + " lacks " + sentinel
                        + " after " + LOG_TIMEOUT + " (is the access log disabled?); the log:\n" + log());
            }
            sleep(2);
        }
    }

    /** Parses the complete lines appended to the log file since the last call into {@link #entries}. */
    private void readNewLogLines() {
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= logOffset) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - logOffset));
            while (buffer.hasRemaining() && channel.read(buffer, logOffset + buffer.position()) >= 0) {
                // read all
            }
            byte[] bytes = buffer.array();
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--; // a line still being written: leave it for the next read
            }
            new String(bytes, 0, end, StandardCharsets.UTF_8).lines()
                    .forEach(line -> AccessLogEntry.parse(line).ifPresent(entry -> {
                        entries.add(entry);
                        entryBytes.add(AccessLogEntry.bytesSent(line));
                    }));
            logOffset += end;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireAuth() {
        if (auth == Auth.NONE) {
            throw new IllegalStateException(this + " has no authentication");
        }
    }

    private static String htpasswdLine() {
        String line = htpasswdLine;
        if (line == null) {
            // bcrypt is the only hash Distribution accepts
            line = Commands.run(Duration.ofSeconds(30), List.of("htpasswd", "-Bbn", USERNAME, PASSWORD)).strip();
            htpasswdLine = line;
        }
        return line;
    }

    /** An HTTP client for the fixture's own requests that trusts {@code key}'s certificate (and nothing else). */
    private static HttpClient trustingClient(SigningKey key) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("registry", key.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .sslContext(context)
                    .build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a client trusting the test certificate", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static void stop(Process process) {
        try {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(process);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(Commands::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(RegistryFixture fixture) {
        if (fixture != null) {
            try {
                fixture.close();
            } catch (RuntimeException ignored) {
                // keep the original failure
            }
        }
    }
}
