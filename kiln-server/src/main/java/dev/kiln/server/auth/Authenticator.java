package dev.kiln.server.auth;

import io.javalin.http.Context;

import java.util.Optional;

/**
 * Finds who made a request, from what the request carries (a bearer token; the dashboard adds a session
 * cookie with a CSRF header). Empty: this authenticator does not recognise the request, and the next
 * one is asked; none recognising it is a 401.
 */
@FunctionalInterface
public interface Authenticator {
    /** The request's principal, or empty when this authenticator does not recognise it. */
    Optional<Principal> authenticate(Context ctx);
}
