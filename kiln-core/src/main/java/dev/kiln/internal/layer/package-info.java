/**
 * Reproducible image layers from local files. A {@link dev.kiln.internal.layer.LayerSource} (one
 * {@code --add SRC:DEST[:uid:gid]}) is scanned, sorted and streamed as tar → compressor → caller's
 * stream in one pass, hashing the tar on the way ({@link dev.kiln.internal.layer.LayerResult#diffId()}), with
 * fixed-size buffers: memory does not grow with the layer. Identical inputs give byte-identical
 * layers: mtimes, owners, entry order, tar and gzip headers are all fixed, whatever the files' own
 * times, the directory listing order, the user running the build or the machine.
 *
 * <p>Depends on {@code dev.kiln.error} and {@code dev.kiln.image} only.
 */
package dev.kiln.internal.layer;
