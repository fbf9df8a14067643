/**
 * What other modules plug into Kiln: a {@link dev.kiln.api.spi.ContainerEngineProvider} (found with
 * {@link java.util.ServiceLoader}) gives Kiln a container engine as a cache level and a destination. The
 * types here use only Kiln's public packages and the JDK.
 */
package dev.kiln.api.spi;
