/**
 * Sinks that write an image to local files: an OCI image layout directory ({@link
 * dev.kiln.internal.archive.OciLayoutWriter}) and a {@code docker load}-compatible tar ({@link
 * dev.kiln.internal.archive.DockerArchiveWriter}). Blob content streams from a {@link dev.kiln.internal.archive.BlobReader}
 * and is verified while copied; nothing becomes visible at the target until everything it references
 * is complete, so an interrupted or failed write never leaves a half-image behind.
 */
package dev.kiln.internal.archive;
