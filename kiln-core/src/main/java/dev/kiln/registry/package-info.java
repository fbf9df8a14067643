/**
 * The OCI distribution client: {@link dev.kiln.registry.RegistryTransport} (scheme, TLS, auth,
 * redirects, retries; shared) under {@link dev.kiln.registry.RegistryClient} (manifests and blobs;
 * one per operation).
 */
package dev.kiln.registry;
