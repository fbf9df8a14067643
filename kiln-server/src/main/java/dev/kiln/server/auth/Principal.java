package dev.kiln.server.auth;

/**
 * Who made a request: the name the history shows as the submitter, and the role that decides what
 * they may do.
 */
public record Principal(String name, Role role) {
}
