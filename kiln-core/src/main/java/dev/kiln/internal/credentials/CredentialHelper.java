package dev.kiln.internal.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.error.CredentialException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code docker-credential-<name>} program, run once per request, speaking the docker-credential-helpers
 * protocol: {@code get} as the argument, the server URL on stdin, {@code
 * {"ServerURL","Username","Secret"}} on stdout; {@code store} with that JSON on stdin; {@code erase}
 * with the server URL on stdin.
 *
 * <p>Failure messages name the helper and the registry and quote the helper's own error line, but
 * never its stdout when that looks like JSON, since that is where secrets travel.
 *
 * @param program    {@code docker-credential-<name>}, as messages name it
 * @param executable where the program was found
 * @param timeout    how long one run may take
 */
record CredentialHelper(String program, Path executable, Duration timeout) {
    /** The phrase docker-credential-helpers uses (on stdout, with a non-zero exit) for "no entry". */
    private static final String NOT_FOUND = "credentials not found";
    private static final String HELPER_PREFIX = "docker-credential-";

    private static final int MAX_QUOTED_CHARS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Executor DRAIN =
            task -> {
                Thread thread = new Thread(task, "kiln-credential-helper-output");
                thread.setDaemon(true);
                thread.start();
            };

    /**
     * The helper {@code docker-credential-NAME} found in {@code helperPath}; {@code configuredBy} says,
     * in errors, where the name came from.
     */
    static CredentialHelper locate(String name, List<Path> helperPath, Duration timeout, String configuredBy) {
        String program = HELPER_PREFIX + name;
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains(File.pathSeparator)) {
            throw new CredentialException("invalid credential helper name '" + name + "' (" + configuredBy + ")");
        }
        for (Path dir : helperPath) {
            Path candidate = dir.resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new CredentialHelper(program, candidate, timeout);
            }
        }
        throw new CredentialException("credential helper " + program + " (" + configuredBy + ") is not an executable on the PATH");
    }

    static List<Path> searchPath(String path) {
        List<Path> dirs = new ArrayList<>();
        if (path == null) {
            return dirs;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            try {
                dirs.add(Path.of(dir));
            } catch (InvalidPathException e) {
                // a PATH entry the JVM cannot even represent cannot hold a helper either
            }
        }
        return dirs;
    }

    /**
     * Asks the helper for the credential of {@code host}.
     *
     * @param host the canonical registry host; the helper is sent Docker's server URL for it
     * @return empty if the helper has no credential for it
     */
    Optional<Credential> get(String host) {
        Answer answer = run("get", RegistryHosts.helperServerUrl(host), host);
        if (answer.exit() != 0) {
            return notFoundOrFail(host, answer);
        }
        return parse(host, answer.out());
    }

    /** Has the helper keep {@code credential} for {@code host}, replacing what it had, as {@code docker login} does. */
    void store(String host, Credential credential) {
        ObjectNode request = JSON.createObjectNode()
                .put("ServerURL", RegistryHosts.helperServerUrl(host))
                .put("Username", credential.username())
                .put("Secret", credential.secret());
        Answer answer = run("store", request.toString(), host);
        if (answer.exit() != 0) {
            throw failed(host, answer);
        }
    }

    /**
     * Has the helper forget the credential of {@code host}, as {@code docker logout} does.
     *
     * @return false if it had none
     */
    boolean erase(String host) {
        Answer answer = run("erase", RegistryHosts.helperServerUrl(host), host);
        if (answer.exit() == 0) {
            return true;
        }
        if (answer.saysNotFound()) {
            return false;
        }
        throw failed(host, answer);
    }

    /** What one run of the helper printed, and how it exited. */
    private record Answer(int exit, String out, String err) {
        boolean saysNotFound() {
            return (out + "\n" + err).toLowerCase(Locale.ROOT).contains(NOT_FOUND);
        }
    }

    /** Runs the helper with {@code action} as its argument and {@code input} on stdin (no trailing newline, as Docker writes it). */
    private Answer run(String action, String input, String host) {
        Process process;
        try {
            process = new ProcessBuilder(executable.toString(), action).start();
        } catch (IOException e) {
            throw failure(host, "could not be started: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the helper exited without reading its input; its exit status says why
        }
        try {
            if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
                throw timedOut(process, host);
            }
            return new Answer(process.exitValue(), text(stdout.get(remaining(deadline), TimeUnit.NANOSECONDS)),
                    text(stderr.get(remaining(deadline), TimeUnit.NANOSECONDS)));
        } catch (TimeoutException e) {
            throw timedOut(process, host);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw failure(host, "was interrupted", e);
        } catch (ExecutionException e) {
            kill(process);
            throw failure(host, "output could not be read", e.getCause());
        }
    }

    private Optional<Credential> notFoundOrFail(String host, Answer answer) {
        if (answer.saysNotFound()) {
            return Optional.empty();
        }
        throw failed(host, answer);
    }

    /** The failure of a run that exited non-zero, quoting the helper's complaint. */
    private CredentialException failed(String host, Answer answer) {
        String said = quotable(answer.err()).isEmpty() ? quotable(answer.out()) : quotable(answer.err());
        return failure(host, "failed (exit " + answer.exit() + ")" + (said.isEmpty() ? "" : ": " + said), null);
    }

    private Optional<Credential> parse(String host, String out) {
        JsonNode response;
        try {
            response = JSON.readTree(out);
        } catch (IOException e) {
            throw failure(host, "answered with something that is not JSON", null); // no cause: it may quote the secret
        }
        if (response == null || !response.isObject()) {
            throw failure(host, "answered with something that is not a JSON object", null);
        }
        String username = field(response, "Username");
        String secret = field(response, "Secret");
        if (username.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (Credential.IDENTITY_TOKEN_USERNAME.equals(username)) {
            if (secret.isEmpty()) {
                throw failure(host, "answered with an empty identity token", null);
            }
            return Optional.of(Credential.identityToken(secret));
        }
        return Optional.of(Credential.basic(username, secret));
    }

    private static String field(JsonNode response, String name) {
        JsonNode value = response.get(name);
        return value != null && value.isTextual() ? value.textValue() : "";
    }

    private CredentialException timedOut(Process process, String host) {
        kill(process);
        return failure(host, "did not answer within " + timeout.toSeconds() + "s", null);
    }

    private CredentialException failure(String host, String what, Throwable cause) {
        return new CredentialException(
                "credential helper " + program + " for " + host + " " + what, cause);
    }

    /** Kills the helper and anything it started, which might otherwise hold its pipes open. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (stream) {
                        return stream.readAllBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                DRAIN);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The helper's first line of complaint, unless it looks like a (secret-bearing) JSON answer. */
    private static String quotable(String output) {
        String line = output.strip().lines().findFirst().orElse("").strip();
        if (line.startsWith("{")) {
            return "";
        }
        return line.length() > MAX_QUOTED_CHARS ? line.substring(0, MAX_QUOTED_CHARS) + "..." : line;
    }
}
