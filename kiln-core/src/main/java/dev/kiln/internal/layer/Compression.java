package dev.kiln.internal.layer;

import dev.kiln.image.MediaTypes;
import dev.kiln.internal.text.EnumNames;

import java.io.IOException;
import java.io.OutputStream;

/** How a layer's tar stream is compressed, and the OCI media type that says so. */
public enum Compression {
    GZIP(MediaTypes.OCI_LAYER_GZIP),
    ZSTD(MediaTypes.OCI_LAYER_ZSTD);

    private final String mediaType;

    Compression(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** {@code gzip} or {@code zstd}, in any case. */
    public static Compression parse(String text) {
        return EnumNames.parse(Compression.class, text, EnumNames::lowerCase, "compression");
    }

    Compressor open(OutputStream out) throws IOException {
        return switch (this) {
            case GZIP -> new GzipCompressor(out);
            case ZSTD -> new ZstdCompressor(out);
        };
    }
}
