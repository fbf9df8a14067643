package dev.kiln.server.auth;

import io.javalin.security.RouteRole;

import java.util.Locale;

/** What a caller may do; each role includes the ones before it. */
public enum Role implements RouteRole {
    /** GET only: builds, events, cache, stats, metrics. */
    READ,
    /** Also submit and cancel builds, upload files. */
    BUILD,
    /** Also refresh and prune the cache, rebase, run schedules. */
    ADMIN;

    /** {@code read}, {@code build} or {@code admin}, as the configuration writes it. */
    public static Role parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Whether this role may do what {@code required} allows. */
    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    /** The configuration's spelling. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
