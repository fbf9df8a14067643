package dev.kiln.server.history;

/** One run of a schedule: when, what it found and what it did (or why it failed), as text. */
public record ScheduleRun(String schedule, String replica, long startedAt, long finishedAt, String found, String did, String error) {
}
