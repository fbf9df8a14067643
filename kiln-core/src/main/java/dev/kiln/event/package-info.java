/**
 * What Kiln reports while it works: {@link dev.kiln.event.KilnEvent}s (the build log as data) for a
 * {@link dev.kiln.event.KilnListener}, and the {@link dev.kiln.event.Telemetry} of one operation that
 * forwards them and keeps the totals results report.
 */
package dev.kiln.event;
