/**
 * Kiln's public Java API: the {@link dev.kiln.api.Kiln} facade, its requests and results. Together
 * with {@code dev.kiln.event} (the build log as events) and {@code dev.kiln.error} (typed failures)
 * it is all a platform embedding Kiln, or the CLI, needs.
 */
package dev.kiln.api;
