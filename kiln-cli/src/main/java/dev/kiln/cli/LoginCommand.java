package dev.kiln.cli;

import dev.kiln.api.DockerCredentialStore;
import dev.kiln.api.Kiln;
import dev.kiln.api.RegistryCredential;
import dev.kiln.error.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;

/**
 * {@code kiln login REGISTRY}: checks a user name and password against the registry (as {@code docker login}
 * does) and keeps them where Docker keeps them, so that Kiln, Docker and other tools use them alike. The
 * password comes from the first line of stdin or from the terminal, never from the command line, and is
 * never shown.
 */
@Command(name = "login", description = "Check credentials against a registry and keep them where docker login does "
        + "(the Docker config's credential helper, else its auths).")
final class LoginCommand extends CredentialsCommand {
    @Parameters(paramLabel = "REGISTRY", description = "The registry, HOST[:PORT], e.g. ghcr.io or 127.0.0.1:5000 (docker.io for Docker Hub).")
    String registry;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "The user name (default: asked on the terminal).")
    String username;

    @Option(names = "--password-stdin", description = "Read the password (or access token) from the first line of standard input.")
    boolean passwordStdin;

    /** What {@code --json} prints: the registry, the user and where the credentials are kept. */
    record LoggedIn(String registry, String username, String storedIn) implements Change {
        @Override
        public String line() {
            return "logged in to " + registry + " as " + username + " (credentials kept in " + storedIn + ")";
        }
    }

    @Override
    String registry() {
        return registry;
    }

    @Override
    Change change(String host, DockerCredentialStore store) {
        Console console = System.console();
        if (username == null && (passwordStdin || console == null)) {
            throw new InvalidInputException(passwordStdin ? "--password-stdin needs the user name: give -u USER"
                    : "no terminal to ask the user name on: give -u USER and --password-stdin");
        }
        String user = username != null ? username : console.readLine("Username: ");
        String password = passwordStdin ? firstLineOfStdin() : prompt(console);
        if (user == null || user.isBlank()) {
            throw new InvalidInputException("the user name is empty");
        }
        if (password.isEmpty()) {
            throw new InvalidInputException("the password is empty");
        }
        RegistryCredential credential = RegistryCredential.basic(user, password);
        try (Kiln kiln = common.open(true)) {
            kiln.checkCredential(host, credential);
        }
        return new LoggedIn(host, user, store.store(host, credential));
    }

    private static String prompt(Console console) {
        if (console == null) {
            throw new InvalidInputException("no terminal to ask the password on: pipe it to --password-stdin");
        }
        char[] password = console.readPassword("Password: ");
        return password == null ? "" : new String(password);
    }

    /** One line, without its line end, as {@code docker login --password-stdin} reads it. */
    private static String firstLineOfStdin() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())).readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
