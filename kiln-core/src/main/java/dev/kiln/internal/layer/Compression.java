package dev.kiln.internal.layer;

import dev.kiln.error.InvalidInputException;
import dev.kiln.image.MediaTypes;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

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
        if (text != null) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "gzip":
                    return GZIP;
                case "zstd":
                    return ZSTD;
                default:
                    break;
            }
        }
        throw new InvalidInputException("unknown compression '" + text + "': expected gzip or zstd");
    }

    Compressor open(OutputStream out) throws IOException {
        return switch (this) {
            case GZIP -> new GzipCompressor(out);
            case ZSTD -> new ZstdCompressor(out);
        };
    }
}
