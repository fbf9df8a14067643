/**
 * Kiln's typed failures. The bottom of the package graph: every other package may throw these, and
 * the public API exposes them as they are.
 */
package dev.kiln.error;
