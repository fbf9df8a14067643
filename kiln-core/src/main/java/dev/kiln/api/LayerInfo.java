package dev.kiln.api;

/** One layer of an image: its digest, compressed size and media type. */
public record LayerInfo(String digest, long size, String mediaType) {
}
