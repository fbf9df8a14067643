package dev.kiln.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package) for a test class: {@code initdb} and
 * {@code pg_ctl} on a free loopback port in a temporary directory, run as the {@code postgres} user when
 * the tests run as root (the server refuses root). Each {@link #newDatabase()} is a fresh database.
 */
final class SharedPostgres implements BeforeAllCallback, AfterAllCallback {
    static final String USER = "kiln";
    private final AtomicInteger databases = new AtomicInteger();
    private Path dir;
    private Path bin;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = binaries();
        dir = Files.createTempDirectory("kiln-pg");
        run("chmod", "755", dir.toString());
        if (root()) {
            run("chown", "postgres", dir.toString());
        }
        asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", USER, "--no-sync");
        port = freePort();
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-l", dir.resolve("log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (dir != null) {
            asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** A new, empty database: its JDBC URL (user {@link #USER}, no password). */
    String newDatabase() {
        String name = "kiln" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, null); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url(name);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static Path binaries() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (scripts/install-deps.sh installs it)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("PostgreSQL is not installed (scripts/install-deps.sh installs it)");
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        if (root()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        run(line.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
