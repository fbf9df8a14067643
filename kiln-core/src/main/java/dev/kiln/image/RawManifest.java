package dev.kiln.image;

import dev.kiln.error.RegistryException;

/**
 * A manifest or index exactly as its bytes came: its digest is over these bytes, so they are kept
 * and stored verbatim; {@link #asManifest()} and {@link #asIndex()} give the parsed view.
 */
public record RawManifest(String mediaType, byte[] bytes, Digest digest) {

    /**
     * Classifies {@code bytes} by their own {@code mediaType} field, else by the transport's content
     * type, else by shape (OCI documents may omit the field).
     */
    public static RawManifest of(byte[] bytes, String contentType) {
        if (bytes.length > ImageJson.MAX_MANIFEST_BYTES) {
            throw new RegistryException("manifest of " + bytes.length + " bytes exceeds the limit of "
                    + ImageJson.MAX_MANIFEST_BYTES + " bytes");
        }
        ImageCodec.Shape shape = ImageJson.shape(bytes, "manifest");
        String mediaType = shape.mediaType();
        if (mediaType.isEmpty() && contentType != null) {
            mediaType = contentType.split(";", 2)[0].strip();
        }
        if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isImageManifest(mediaType)) {
            if (shape.schemaVersion() == 1 || MediaTypes.isSchema1(mediaType)) {
                throw new RegistryException("Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image with a current tool");
            }
            if (shape.hasManifests()) {
                mediaType = MediaTypes.OCI_INDEX;
            } else if (shape.hasConfig() && shape.hasLayers()) {
                mediaType = MediaTypes.OCI_MANIFEST;
            } else {
                throw new RegistryException("unsupported manifest media type '" + mediaType + "'");
            }
        }
        return new RawManifest(mediaType, bytes, Digest.sha256(bytes));
    }

    /** The manifest or index Kiln wrote itself as {@code mediaType}: nothing to classify. */
    public static RawManifest written(byte[] bytes, String mediaType) {
        return new RawManifest(mediaType, bytes, Digest.sha256(bytes));
    }

    /** Whether this is an index (several platforms) rather than one image's manifest. */
    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** The index these bytes hold; refused when this is an image manifest. */
    public ImageIndex asIndex() {
        if (!isIndex()) {
            throw new IllegalStateException(mediaType + " is not an index");
        }
        return ImageJson.read(bytes, ImageIndex.class, "image index " + digest.shortHex());
    }

    /** The image manifest these bytes hold; refused when this is an index or has no config. */
    public Manifest asManifest() {
        if (isIndex()) {
            throw new IllegalStateException(mediaType + " is not an image manifest");
        }
        Manifest manifest = ImageJson.read(bytes, Manifest.class, "image manifest " + digest.shortHex());
        if (manifest.config() == null || manifest.config().digest() == null) {
            throw new RegistryException("malformed image manifest " + digest.shortHex() + ": no config descriptor");
        }
        return manifest;
    }

    /** A descriptor of these bytes: media type, digest and size. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }
}
