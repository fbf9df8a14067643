package dev.kiln.internal.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.image.Digest;
import dev.kiln.internal.json.JsonStreams;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static dev.kiln.internal.json.JsonStreams.end;
import static dev.kiln.internal.json.JsonStreams.expect;
import static dev.kiln.internal.json.JsonStreams.openObject;

/**
 * The store's own JSON files (reference records, the ledger's lines, layer-cache entries), read and
 * written with Jackson's streaming parser and generator: every build reads and writes a few, and
 * databind's first use of each record type cost a fresh JVM ~10-20 ms. The format is the one databind
 * wrote (null fields included, times in RFC 3339, records indented), so stores written before read
 * the same; unknown fields are ignored. A malformed file is an {@link IOException}.
 */
final class StoreJson {
    private StoreJson() {
    }

    static byte[] write(RefRecord record) throws IOException {
        return JsonStreams.generate(true, g -> {
            g.writeStartObject();
            g.writeStringField("reference", record.reference());
            writeDigest(g, "digest", record.digest());
            g.writeStringField("mediaType", record.mediaType());
            writeInstant(g, "fetchedAt", record.fetchedAt());
            writeInstant(g, "checkedAt", record.checkedAt());
            g.writeObjectFieldStart("platforms");
            for (Map.Entry<String, RefRecord.PlatformEntry> platform : new TreeMap<>(record.platforms()).entrySet()) {
                RefRecord.PlatformEntry entry = platform.getValue();
                g.writeObjectFieldStart(platform.getKey());
                writeDigest(g, "manifest", entry.manifest());
                writeInstant(g, "fetchedAt", entry.fetchedAt());
                writeInstant(g, "usedAt", entry.usedAt());
                g.writeStringField("source", entry.source());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static RefRecord readRefRecord(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            String reference = null;
            Digest digest = null;
            String mediaType = null;
            Instant fetchedAt = null;
            Instant checkedAt = null;
            Map<String, RefRecord.PlatformEntry> platforms = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "reference" -> reference = string(p);
                    case "digest" -> digest = digest(p);
                    case "mediaType" -> mediaType = string(p);
                    case "fetchedAt" -> fetchedAt = instant(p);
                    case "checkedAt" -> checkedAt = instant(p);
                    case "platforms" -> {
                        if (p.currentToken() != JsonToken.VALUE_NULL) {
                            expect(p, JsonToken.START_OBJECT, name, "an object");
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String platform = p.currentName();
                                p.nextToken();
                                platforms.put(platform, platformEntry(p));
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new RefRecord(reference, digest, mediaType, fetchedAt, checkedAt, platforms);
        }
    }

    static String line(Ledger.Entry entry) throws IOException {
        byte[] json = JsonStreams.generate(false, g -> {
            g.writeStartObject();
            g.writeStringField("image", entry.image());
            writeDigest(g, "digest", entry.digest());
            g.writeStringField("platform", entry.platform());
            g.writeStringField("base", entry.base());
            writeDigest(g, "baseDigest", entry.baseDigest());
            writeDigest(g, "baseTop", entry.baseTop());
            writeInstant(g, "builtAt", entry.builtAt());
            g.writeEndObject();
        });
        return new String(json, java.nio.charset.StandardCharsets.UTF_8);
    }

    static Ledger.Entry readLine(String line) throws IOException {
        try (JsonParser p = openObject(line)) {
            String image = null;
            Digest digest = null;
            String platform = null;
            String base = null;
            Digest baseDigest = null;
            Digest baseTop = null;
            Instant builtAt = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "image" -> image = string(p);
                    case "digest" -> digest = digest(p);
                    case "platform" -> platform = string(p);
                    case "base" -> base = string(p);
                    case "baseDigest" -> baseDigest = digest(p);
                    case "baseTop" -> baseTop = digest(p);
                    case "builtAt" -> builtAt = instant(p);
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new Ledger.Entry(image, digest, platform, base, baseDigest, baseTop, builtAt);
        }
    }

    /** A layer-cache entry: the built layer's media type, digest, size and diff id. */
    record LayerRecord(String mediaType, Digest digest, long size, Digest diffId) {
    }

    static byte[] write(LayerRecord layer) throws IOException {
        return JsonStreams.generate(false, g -> {
            g.writeStartObject();
            g.writeStringField("mediaType", layer.mediaType());
            writeDigest(g, "digest", layer.digest());
            g.writeNumberField("size", layer.size());
            writeDigest(g, "diffId", layer.diffId());
            g.writeEndObject();
        });
    }

    static LayerRecord readLayer(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            String mediaType = null;
            Digest digest = null;
            long size = 0;
            Digest diffId = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "mediaType" -> mediaType = string(p);
                    case "digest" -> digest = digest(p);
                    case "size" -> size = JsonStreams.number(p, name);
                    case "diffId" -> diffId = digest(p);
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new LayerRecord(mediaType, digest, size, diffId);
        }
    }

    private static RefRecord.PlatformEntry platformEntry(JsonParser p) throws IOException {
        expect(p, JsonToken.START_OBJECT, "platforms", "an object");
        Digest manifest = null;
        Instant fetchedAt = null;
        Instant usedAt = null;
        String source = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "manifest" -> manifest = digest(p);
                case "fetchedAt" -> fetchedAt = instant(p);
                case "usedAt" -> usedAt = instant(p);
                case "source" -> source = string(p);
                default -> p.skipChildren();
            }
        }
        return new RefRecord.PlatformEntry(manifest, fetchedAt, usedAt, source);
    }

    private static String string(JsonParser p) throws IOException {
        return JsonStreams.string(p, p.currentName());
    }

    private static Digest digest(JsonParser p) throws IOException {
        String text = string(p);
        try {
            return text == null ? null : Digest.parse(text);
        } catch (RuntimeException e) {
            throw new JsonParseException(p, e.getMessage());
        }
    }

    private static Instant instant(JsonParser p) throws IOException {
        String text = string(p);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new JsonParseException(p, "not a time: " + text);
        }
    }

    private static void writeDigest(JsonGenerator g, String name, Digest digest) throws IOException {
        g.writeStringField(name, digest == null ? null : digest.toString());
    }

    private static void writeInstant(JsonGenerator g, String name, Instant instant) throws IOException {
        g.writeStringField(name, instant == null ? null : instant.toString());
    }
}
