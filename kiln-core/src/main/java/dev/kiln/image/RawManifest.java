package dev.kiln.image;

import dev.kiln.error.RegistryException;

import java.util.Objects;

/**
 * A manifest or index exactly as its bytes came: its digest is over these bytes, so they are kept
 * and stored verbatim; {@link #asManifest()} and {@link #asIndex()} give the parsed view, parsed once.
 * Two are equal when they have the same media type and digest.
 */
public final class RawManifest {
    private final String mediaType;
    private final byte[] bytes;
    private final Digest digest;
    private volatile Object parsed;

    /** {@code bytes}, of {@code mediaType}, whose digest is {@code digest}. */
    public RawManifest(String mediaType, byte[] bytes, Digest digest) {
        this(mediaType, bytes, digest, null);
    }

    private RawManifest(String mediaType, byte[] bytes, Digest digest, Object parsed) {
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.digest = Objects.requireNonNull(digest, "digest");
        this.parsed = parsed;
    }

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

    /** The image manifest Kiln writes: nothing to classify or parse. */
    public static RawManifest written(Manifest manifest) {
        byte[] bytes = ImageJson.write(manifest);
        return new RawManifest(manifest.mediaType(), bytes, Digest.sha256(bytes), manifest);
    }

    /** The index Kiln writes: nothing to classify or parse. */
    public static RawManifest written(ImageIndex index) {
        byte[] bytes = ImageJson.write(index);
        return new RawManifest(index.mediaType(), bytes, Digest.sha256(bytes), index);
    }

    /** The media type: from the document, else the transport's content type, else its shape. */
    public String mediaType() {
        return mediaType;
    }

    /** The document's bytes, verbatim (not copied: never change them). */
    public byte[] bytes() {
        return bytes;
    }

    /** The digest of {@link #bytes()}. */
    public Digest digest() {
        return digest;
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
        if (parsed instanceof ImageIndex index) {
            return index;
        }
        ImageIndex index = ImageJson.read(bytes, ImageIndex.class, "image index " + digest.shortHex());
        parsed = index;
        return index;
    }

    /** The image manifest these bytes hold; refused when this is an index or has no config. */
    public Manifest asManifest() {
        if (isIndex()) {
            throw new IllegalStateException(mediaType + " is not an image manifest");
        }
        if (parsed instanceof Manifest manifest) {
            return manifest;
        }
        Manifest manifest = ImageJson.read(bytes, Manifest.class, "image manifest " + digest.shortHex());
        if (manifest.config() == null || manifest.config().digest() == null) {
            throw new RegistryException("malformed image manifest " + digest.shortHex() + ": no config descriptor");
        }
        parsed = manifest;
        return manifest;
    }

    /** A descriptor of these bytes: media type, digest and size. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawManifest that && mediaType.equals(that.mediaType) && digest.equals(that.digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "RawManifest[" + mediaType + " " + digest + ", " + bytes.length + " bytes]";
    }
}
