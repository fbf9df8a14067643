package dev.kiln.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.error.InvalidInputException;
import dev.kiln.error.RegistryException;

import java.io.IOException;

/** The one JSON mapper for image documents: lenient on unknown fields, strict on malformed JSON. */
public final class ImageJson {
    /** Distribution's own limit for manifests; larger ones are refused rather than buffered. */
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    /** Configs are read whole into memory; larger ones are refused. */
    public static final int MAX_CONFIG_BYTES = 8 * 1024 * 1024;

    /** The mapper for manifests, indexes and configs: unknown properties ignored, trailing content refused. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // like Go's json.Unmarshal (registry, containerd): a second value after the document is malformed
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ImageJson() {
    }

    /**
     * Initialises the mapper and its tree reader, which a build uses to edit its base's config: the first
     * use of databind in a JVM costs ~0.1 s, which a short-lived process can overlap with its own start-up.
     * (Manifests, indexes, configs and edited trees are read and written by the streaming {@link ImageCodec},
     * which needs no warming.)
     */
    public static void warmUp() {
        write(tree("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=b\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "sample config"));
    }

    /**
     * Reads {@code json} as {@code type}; malformed JSON is a {@link RegistryException} naming {@code what}.
     * Manifests, indexes and configs are read by a streaming parser ({@link ImageCodec}), the rest by the mapper.
     */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            if (type == Manifest.class) {
                return type.cast(ImageCodec.readManifest(json));
            }
            if (type == ImageIndex.class) {
                return type.cast(ImageCodec.readIndex(json));
            }
            if (type == ImageConfig.class) {
                return type.cast(ImageCodec.readConfig(json));
            }
            return MAPPER.readValue(json, type);
        } catch (IOException | InvalidInputException e) {
            throw malformed(what, e);
        }
    }

    /** The shape of a manifest or index, for classifying it; malformed JSON is a {@link RegistryException}. */
    static ImageCodec.Shape shape(byte[] json, String what) {
        try {
            return ImageCodec.shape(json);
        } catch (IOException e) {
            throw malformed(what, e);
        }
    }

    /** Reads {@code json} as a tree; anything but an object is a {@link RegistryException} naming {@code what}. */
    public static JsonNode tree(byte[] json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new RegistryException("malformed " + what + ": not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new RegistryException("malformed " + what + ": " + firstLine(e.getMessage()));
        }
    }

    /** Writes {@code value} as compact JSON; manifests, indexes and trees (an edited config) by {@link ImageCodec}, the rest by the mapper. */
    public static byte[] write(Object value) {
        if (value instanceof Manifest manifest) {
            return ImageCodec.write(manifest);
        }
        if (value instanceof ImageIndex index) {
            return ImageCodec.write(index);
        }
        if (value instanceof JsonNode tree) {
            return ImageCodec.write(tree);
        }
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("image documents always serialize", e);
        }
    }

    private static RegistryException malformed(String what, Exception e) {
        return new RegistryException("malformed " + what + ": " + firstLine(e.getMessage()));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
