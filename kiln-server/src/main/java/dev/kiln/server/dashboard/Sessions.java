package dev.kiln.server.dashboard;

import dev.kiln.server.auth.Authenticator;
import dev.kiln.server.auth.Principal;
import dev.kiln.server.http.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's logins: a random session id in an {@code HttpOnly}, {@code SameSite=Strict} cookie,
 * kept in memory (a restart logs everyone out), and a CSRF token per session that every state-changing
 * request must echo in the {@value #CSRF_HEADER} header — a request with the cookie and without the
 * token is refused, so another site cannot act with a logged-in browser.
 */
public final class Sessions implements Authenticator {
    /** The session cookie's name. */
    public static final String COOKIE = "kiln_session";
    /** The header that carries the session's CSRF token. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Duration LIFETIME = Duration.ofHours(12);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /** A logged-in browser: who, its CSRF token, and until when the session holds. */
    record Session(Principal principal, String csrf, long expiresAt) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Opens a session for {@code principal} and sets its cookie on the response. */
    void open(Context ctx, Principal principal) {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> s.expiresAt() < now);
        String id = randomToken();
        sessions.put(id, new Session(principal, randomToken(), now + LIFETIME.toMillis()));
        Cookie cookie = new Cookie(COOKIE, id, "/", (int) LIFETIME.toSeconds(), ctx.scheme().equals("https"), 0, true, null, null,
                SameSite.STRICT);
        ctx.cookie(cookie);
    }

    /** Ends the request's session, if any, and clears its cookie. */
    void close(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, false, 0, true, null, null, SameSite.STRICT));
    }

    /** The request's live session. */
    Optional<Session> find(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (session.expiresAt() < System.currentTimeMillis()) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    @Override
    public Optional<Principal> authenticate(Context ctx) {
        Optional<Session> session = find(ctx);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        if (!SAFE_METHODS.contains(ctx.method().name())) {
            String sent = ctx.header(CSRF_HEADER);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    session.get().csrf().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(403, "a request with the dashboard's session needs its CSRF token in " + CSRF_HEADER);
            }
        }
        return Optional.of(session.get().principal());
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
