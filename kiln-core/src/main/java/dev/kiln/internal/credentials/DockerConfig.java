package dev.kiln.internal.credentials;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.error.CredentialException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The credential-related parts of a Docker client {@code config.json}, keyed by canonical host.
 * Everything else in the file (proxies, aliases, plugins) is ignored.
 *
 * <p>Parse errors are reported with the file and a line/column, never with the parser's own
 * message: that message quotes the offending token, which may well be a password.
 *
 * @param file where it was read from, for messages
 * @param auths inline credentials from {@code auths}, already decoded
 * @param credHelpers per-registry helper names; an empty name opts the registry out of {@code
 *     credsStore}, as in the Docker CLI
 * @param credsStore the default helper, if any
 */
record DockerConfig(
        Path file,
        Map<String, Credential> auths,
        Map<String, String> credHelpers,
        Optional<String> credsStore) {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    DockerConfig {
        auths = Map.copyOf(auths);
        credHelpers = Map.copyOf(credHelpers);
    }

    /** Reads a config file; a missing file is an empty config, like the Docker CLI treats it. */
    static DockerConfig read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return empty(file);
        } catch (IOException e) {
            throw new CredentialException(
                    "cannot read Docker config " + file + ": " + e.getMessage(), e);
        }
        return parse(file, content);
    }

    static DockerConfig empty(Path file) {
        return new DockerConfig(file, Map.of(), Map.of(), Optional.empty());
    }

    /** Parses {@code content}; a blank file counts as empty (tools {@code touch} it). */
    static DockerConfig parse(Path file, byte[] content) {
        if (new String(content, StandardCharsets.UTF_8).isBlank()) {
            return empty(file);
        }
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            // deliberately no cause: Jackson's message quotes the bad token
            throw malformed(file, "not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new CredentialException("cannot read Docker config " + file, e);
        }
        if (!root.isObject()) {
            throw malformed(file, "the top level is not a JSON object");
        }
        return new DockerConfig(
                file, byHost(file, root.get("auths"), "auths", (key, entry) -> credential(file, key, entry)),
                byHost(file, root.get("credHelpers"), "credHelpers", (key, value) -> helper(file, key, value)),
                credsStore(file, root.get("credsStore")));
    }

    /**
     * The entries of the object {@code section} by canonical host, each value made by {@code value}
     * (empty: a placeholder, skipped); an exact host key beats an alias spelling, otherwise the first
     * in the file wins.
     */
    private static <T> Map<String, T> byHost(Path file, JsonNode section, String name,
                                             BiFunction<String, JsonNode, Optional<T>> value) {
        if (isAbsent(section)) {
            return Map.of();
        }
        if (!section.isObject()) {
            throw malformed(file, "'" + name + "' is not a JSON object");
        }
        Map<String, T> byHost = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            Optional<T> found = value.apply(key, entry.getValue());
            if (found.isEmpty()) {
                continue; // placeholder auths such as {} (written when a credsStore holds the secret)
            }
            String host = RegistryHosts.canonical(key);
            if (host.equals(key)) {
                byHost.put(host, found.get());
            } else {
                byHost.putIfAbsent(host, found.get());
            }
        }
        return byHost;
    }

    /** Docker's precedence: an identity token, then {@code auth}, then the separate fields. */
    private static Optional<Credential> credential(Path file, String key, JsonNode entry) {
        if (isAbsent(entry)) {
            return Optional.empty();
        }
        if (!entry.isObject()) {
            throw malformed(file, "auths entry '" + key + "' is not a JSON object");
        }
        String identityToken = text(file, key, entry, "identitytoken");
        if (!identityToken.isEmpty()) {
            return Optional.of(Credential.identityToken(identityToken));
        }
        String auth = text(file, key, entry, "auth").trim();
        if (!auth.isEmpty()) {
            return Optional.of(decodeAuth(file, key, auth));
        }
        String username = text(file, key, entry, "username");
        String password = text(file, key, entry, "password");
        if (username.isEmpty() && password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Credential.basic(username, password));
    }

    private static Credential decodeAuth(Path file, String key, String auth) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed(file, "'auth' of auths entry '" + key + "' is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw malformed(
                    file, "'auth' of auths entry '" + key + "' is not base64 of 'user:password'");
        }
        return Credential.basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private static Optional<String> helper(Path file, String key, JsonNode value) {
        if (!value.isTextual()) {
            throw malformed(file, "credHelpers entry '" + key + "' is not a string");
        }
        return Optional.of(value.textValue().trim());
    }

    private static Optional<String> credsStore(Path file, JsonNode store) {
        if (isAbsent(store)) {
            return Optional.empty();
        }
        if (!store.isTextual()) {
            throw malformed(file, "'credsStore' is not a string");
        }
        String name = store.textValue().trim();
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    private static String text(Path file, String key, JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (isAbsent(value)) {
            return "";
        }
        if (!value.isTextual()) {
            throw malformed(file, "'" + field + "' of auths entry '" + key + "' is not a string");
        }
        return value.textValue();
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static CredentialException malformed(Path file, String problem) {
        return new CredentialException("malformed Docker config " + file + ": " + problem);
    }
}
