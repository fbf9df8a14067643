package dev.kiln.server.history;

/**
 * One event of a build: its sequence number (1, 2, … per build, the SSE {@code id}), when, its type
 * ({@code StepStarted}, {@code CacheDecision}, … and the service's own {@code Status}) and its fields as JSON.
 */
public record StoredEvent(String buildId, long seq, long at, String type, String data) {
}
