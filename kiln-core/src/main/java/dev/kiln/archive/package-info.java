/**
 * Sinks that write an image to local files: an OCI image layout directory ({@link
 * dev.kiln.archive.OciLayoutWriter}) and a {@code docker load}-compatible tar ({@link
 * dev.kiln.archive.DockerArchiveWriter}). Blob content streams from a {@link dev.kiln.archive.BlobReader}
 * and is verified while copied; nothing becomes visible at the target until everything it references
 * is complete, so an interrupted or failed write never leaves a half-image behind.
 */
package dev.kiln.archive;
