package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A real {@code docker-credential-NAME} program (a POSIX shell script) speaking the credential-helper
 * protocol's {@code store}, {@code get} and {@code erase}, keeping each server URL's JSON in a file of
 * its own next to the script, so that tests can see what a front end stored and where.
 */
public final class FileCredentialHelper {
    private static final String SCRIPT = """
            #!/bin/sh
            dir="$0.store"
            mkdir -p "$dir"
            key() { printf '%s' "$1" | tr -c 'A-Za-z0-9.-' '_'; }
            case "$1" in
              store)
                json=$(cat)
                url=$(printf '%s' "$json" | sed -n 's/.*"ServerURL" *: *"\\([^"]*\\)".*/\\1/p')
                printf '%s' "$json" > "$dir/$(key "$url")"
                echo "store $url" >> "$0.calls" ;;
              get)
                url=$(cat)
                echo "get $url" >> "$0.calls"
                [ -f "$dir/$(key "$url")" ] || { echo "credentials not found in native keychain"; exit 1; }
                cat "$dir/$(key "$url")" ;;
              erase)
                url=$(cat)
                echo "erase $url" >> "$0.calls"
                [ -f "$dir/$(key "$url")" ] || { echo "credentials not found in native keychain"; exit 1; }
                rm "$dir/$(key "$url")" ;;
              *) echo "unknown action $1" >&2; exit 2 ;;
            esac
            """;

    private final Path program;

    private FileCredentialHelper(Path program) {
        this.program = program;
    }

    /** Writes {@code docker-credential-NAME} into {@code binDir} (created when missing). */
    public static FileCredentialHelper install(Path binDir, String name) {
        try {
            Path program = Files.createDirectories(binDir).resolve("docker-credential-" + name);
            Files.writeString(program, SCRIPT);
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
            return new FileCredentialHelper(program);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON kept for {@code serverUrl} ({@code {"ServerURL","Username","Secret"}}), or null when none is. */
    public String stored(String serverUrl) {
        Path entry = program.resolveSibling(program.getFileName() + ".store")
                .resolve(serverUrl.replaceAll("[^A-Za-z0-9.-]", "_"));
        try {
            return Files.exists(entry) ? Files.readString(entry) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every call, in order: {@code ACTION SERVER_URL}. */
    public List<String> calls() {
        Path log = program.resolveSibling(program.getFileName() + ".calls");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
