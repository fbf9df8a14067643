/**
 * Kiln's Docker engine support, as a module of its own so that an embedder who never uses a Docker engine
 * does not carry docker-java: {@link dev.kiln.engine.docker.DockerJavaEngine} implements the public SPI
 * {@link dev.kiln.api.spi.ContainerEngine} and is found by kiln-core through {@link java.util.ServiceLoader}.
 */
package dev.kiln.engine.docker;
