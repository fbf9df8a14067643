package dev.kiln.server.http;

import dev.kiln.server.auth.Authenticator;
import dev.kiln.server.auth.Principal;
import dev.kiln.server.auth.Role;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * What every route shares: authentication (every route with a role needs a principal that has it:
 * 401 without one, 403 with too small a role) and the reading of common parameters.
 */
public final class Routes {
    private static final String PRINCIPAL = "kiln.principal";

    private Routes() {
    }

    /** Checks, before every matched route, the caller against the route's role; routes without a role are open. */
    public static void authenticate(Javalin app, List<Authenticator> authenticators) {
        app.beforeMatched(ctx -> {
            Role required = ctx.routeRoles().stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElse(null);
            if (required == null) {
                return;
            }
            Optional<Principal> principal = authenticators.stream().map(a -> a.authenticate(ctx)).flatMap(Optional::stream).findFirst();
            if (principal.isEmpty()) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"kiln\"");
                throw new ApiException(401, "a valid bearer token is required (Authorization: Bearer TOKEN)");
            }
            if (!principal.get().role().includes(required)) {
                throw new ApiException(403, principal.get().name() + " has role " + principal.get().role().configName()
                        + "; this needs " + required.configName());
            }
            ctx.attribute(PRINCIPAL, principal.get());
        });
    }

    /** The caller, as authentication found it. */
    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new ApiException(401, "not authenticated");
        }
        return principal;
    }

    static int intParam(Context ctx, String name, int defaultValue, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, not '" + value + "'");
        }
    }

    /** A time parameter: RFC 3339 ({@code 2026-01-01T00:00:00Z}) or epoch milliseconds; {@code null} when absent. */
    static Long timeParam(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a time such as 2026-01-01T00:00:00Z, not '" + value + "'");
        }
    }
}
