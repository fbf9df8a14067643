/**
 * A Docker Engine API endpoint (Docker, or Podman's compatible service) as a cache level below the
 * local store and as an output: images are matched by exact name and platform, imported into the
 * store (reusing layers it already has, else from {@code docker save}), and built images are
 * loaded with {@code docker load}, streamed. The engine is reached through the {@link dev.kiln.api.spi.ContainerEngine} SPI (the kiln-daemon module).
 */
package dev.kiln.internal.daemon;
