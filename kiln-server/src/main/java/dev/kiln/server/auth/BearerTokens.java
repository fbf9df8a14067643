package dev.kiln.server.auth;

import dev.kiln.config.KilnConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Bearer TOKEN} against the configured tokens, which are kept only as SHA-256
 * hashes. The request's token is hashed and compared with every configured hash in constant time
 * ({@link MessageDigest#isEqual}), all of them whatever matched, so that timing tells nothing.
 */
public final class BearerTokens implements Authenticator {
    private static final String PREFIX = "Bearer ";

    private record Entry(String name, byte[] hash, Role role) {
    }

    private final List<Entry> tokens;

    /** The tokens of the {@code server.tokens} configuration. */
    public BearerTokens(List<KilnConfig.Token> configured) {
        this.tokens = configured.stream().<Entry>map(t -> new Entry(t.name(), HexFormat.of().parseHex(t.sha256()), Role.parse(t.role()))).toList();
    }

    @Override
    public Optional<Principal> authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.empty();
        }
        return find(header.substring(PREFIX.length()).strip());
    }

    /** The principal of a configured {@code token} (the dashboard's login form sends one), or empty. */
    public Optional<Principal> find(String presented) {
        byte[] hash = sha256(presented);
        Entry found = null;
        for (Entry token : tokens) {
            if (MessageDigest.isEqual(token.hash(), hash) && found == null) {
                found = token;
            }
        }
        return Optional.ofNullable(found).map(t -> new Principal(t.name(), t.role()));
    }

    /** The SHA-256 of {@code token}'s UTF-8 bytes, as the configuration's {@code sha256} holds it. */
    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
