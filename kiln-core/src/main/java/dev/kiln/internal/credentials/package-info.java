/**
 * Where registry credentials come from: the Docker client config (with its credential helpers), a
 * fixed map for the Java API, or a chain of such sources. A {@link dev.kiln.internal.credentials.Credential}
 * never shows its secret in {@code toString()} or in any exception message.
 */
package dev.kiln.internal.credentials;
