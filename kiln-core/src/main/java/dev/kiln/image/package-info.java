/**
 * Immutable value types of the OCI image model: references, digests, platforms, descriptors,
 * manifests, indexes and configs. No I/O beyond JSON parsing.
 */
package dev.kiln.image;
