/**
 * The OCI distribution client: {@link dev.kiln.internal.registry.RegistryTransport} (scheme, TLS, auth,
 * redirects, retries; shared) under {@link dev.kiln.internal.registry.RegistryClient} (manifests and blobs;
 * one per operation).
 */
package dev.kiln.internal.registry;
