package dev.kiln.image;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.internal.json.JsonStreams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.kiln.internal.json.JsonStreams.end;
import static dev.kiln.internal.json.JsonStreams.expect;
import static dev.kiln.internal.json.JsonStreams.number;
import static dev.kiln.internal.json.JsonStreams.openObject;
import static dev.kiln.internal.json.JsonStreams.string;

/**
 * Manifests, indexes and their descriptors read and written, and image configs read, with Jackson's
 * streaming parser and generator: the documents every build reads and writes. Databind costs a short-lived JVM ~20 ms per
 * record type on first use (introspection, annotation proxies, reflection); these parse in well under
 * a millisecond from a cold start. The rules are {@link ImageJson#MAPPER}'s: unknown fields ignored,
 * anything after the document refused, {@code null} for an absent value; written like its
 * {@code NON_EMPTY} records, compact, with map keys sorted so that the bytes never depend on a map's
 * iteration order.
 */
final class ImageCodec {
    /** What {@link RawManifest#of} needs to classify a document, read without building it. */
    record Shape(String mediaType, int schemaVersion, boolean hasManifests, boolean hasConfig, boolean hasLayers) {
    }

    private ImageCodec() {
    }

    static Shape shape(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            String mediaType = "";
            int schemaVersion = 0;
            boolean manifests = false;
            boolean config = false;
            boolean layers = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "mediaType" -> mediaType = value.isScalarValue() && value != JsonToken.VALUE_NULL ? p.getText() : "";
                    case "schemaVersion" -> schemaVersion = value.isNumeric() ? p.getValueAsInt() : p.getValueAsInt(0);
                    case "manifests" -> manifests = true;
                    case "config" -> config = true;
                    case "layers" -> layers = true;
                    default -> { }
                }
                p.skipChildren();
            }
            end(p);
            return new Shape(mediaType, schemaVersion, manifests, config, layers);
        }
    }

    static Manifest readManifest(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            int schemaVersion = 0;
            String mediaType = null;
            String artifactType = null;
            Descriptor config = null;
            List<Descriptor> layers = null;
            Descriptor subject = null;
            Map<String, String> annotations = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "schemaVersion" -> schemaVersion = (int) number(p, name);
                    case "mediaType" -> mediaType = string(p, name);
                    case "artifactType" -> artifactType = string(p, name);
                    case "config" -> config = descriptor(p, name);
                    case "layers" -> layers = list(p, name, parser -> descriptor(parser, name));
                    case "subject" -> subject = descriptor(p, name);
                    case "annotations" -> annotations = strings(p, name, false);
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, annotations);
        }
    }

    static ImageIndex readIndex(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            int schemaVersion = 0;
            String mediaType = null;
            List<Descriptor> manifests = null;
            Map<String, String> annotations = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "schemaVersion" -> schemaVersion = (int) number(p, name);
                    case "mediaType" -> mediaType = string(p, name);
                    case "manifests" -> manifests = list(p, name, parser -> descriptor(parser, name));
                    case "annotations" -> annotations = strings(p, name, false);
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new ImageIndex(schemaVersion, mediaType, manifests, annotations);
        }
    }

    static ImageConfig readConfig(byte[] json) throws IOException {
        try (JsonParser p = openObject(json)) {
            String architecture = null;
            String os = null;
            String variant = null;
            String osVersion = null;
            String created = null;
            String author = null;
            ImageConfig.RuntimeConfig config = null;
            ImageConfig.RootFs rootfs = null;
            List<ImageConfig.History> history = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "architecture" -> architecture = string(p, name);
                    case "os" -> os = string(p, name);
                    case "variant" -> variant = string(p, name);
                    case "os.version" -> osVersion = string(p, name);
                    case "created" -> created = string(p, name);
                    case "author" -> author = string(p, name);
                    case "config" -> config = runtimeConfig(p);
                    case "rootfs" -> rootfs = rootfs(p);
                    case "history" -> history = list(p, name, ImageCodec::history);
                    default -> p.skipChildren();
                }
            }
            end(p);
            return new ImageConfig(architecture, os, variant, osVersion, created, author, config, rootfs, history);
        }
    }

    static byte[] write(Manifest manifest) {
        return compact(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", manifest.schemaVersion());
            writeString(g, "mediaType", manifest.mediaType());
            writeString(g, "artifactType", manifest.artifactType());
            writeDescriptor(g, "config", manifest.config());
            g.writeArrayFieldStart("layers");
            for (Descriptor layer : manifest.layers()) {
                writeDescriptor(g, null, layer);
            }
            g.writeEndArray();
            writeDescriptor(g, "subject", manifest.subject());
            writeStrings(g, "annotations", manifest.annotations());
            g.writeEndObject();
        });
    }

    static byte[] write(ImageIndex index) {
        return compact(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", index.schemaVersion());
            writeString(g, "mediaType", index.mediaType());
            g.writeArrayFieldStart("manifests");
            for (Descriptor manifest : index.manifests()) {
                writeDescriptor(g, null, manifest);
            }
            g.writeEndArray();
            writeStrings(g, "annotations", index.annotations());
            g.writeEndObject();
        });
    }

    private static Descriptor descriptor(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, field, "an object");
        String mediaType = null;
        Digest digest = null;
        long size = 0;
        Platform platform = null;
        Map<String, String> annotations = null;
        List<String> urls = null;
        String artifactType = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "mediaType" -> mediaType = string(p, name);
                case "digest" -> {
                    String text = string(p, name);
                    digest = text == null ? null : Digest.parse(text);
                }
                case "size" -> size = number(p, name);
                case "platform" -> platform = platform(p);
                case "annotations" -> annotations = strings(p, name, false);
                case "urls" -> urls = list(p, name, parser -> required(parser, name));
                case "artifactType" -> artifactType = string(p, name);
                default -> p.skipChildren();
            }
        }
        return new Descriptor(mediaType, digest, size, platform, annotations, urls, artifactType);
    }

    private static Platform platform(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "platform", "an object");
        String architecture = null;
        String os = null;
        String variant = null;
        String osVersion = null;
        List<String> osFeatures = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "architecture" -> architecture = string(p, name);
                case "os" -> os = string(p, name);
                case "variant" -> variant = string(p, name);
                case "os.version" -> osVersion = string(p, name);
                case "os.features" -> osFeatures = list(p, name, parser -> required(parser, name));
                default -> p.skipChildren();
            }
        }
        return new Platform(architecture, os, variant, osVersion, osFeatures);
    }

    private static ImageConfig.RuntimeConfig runtimeConfig(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "config", "an object");
        String user = null;
        List<String> env = null;
        List<String> entrypoint = null;
        List<String> cmd = null;
        String workingDir = null;
        Map<String, String> labels = null;
        Map<String, Object> exposedPorts = null;
        Map<String, Object> volumes = null;
        String stopSignal = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "User" -> user = string(p, name);
                case "Env" -> env = list(p, name, parser -> required(parser, name));
                case "Entrypoint" -> entrypoint = list(p, name, parser -> required(parser, name));
                case "Cmd" -> cmd = list(p, name, parser -> required(parser, name));
                case "WorkingDir" -> workingDir = string(p, name);
                case "Labels" -> labels = strings(p, name, true);
                case "ExposedPorts" -> exposedPorts = objects(p, name);
                case "Volumes" -> volumes = objects(p, name);
                case "StopSignal" -> stopSignal = string(p, name);
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.RuntimeConfig(user, env, entrypoint, cmd, workingDir, labels, exposedPorts, volumes, stopSignal);
    }

    private static ImageConfig.RootFs rootfs(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "rootfs", "an object");
        String type = null;
        List<Digest> diffIds = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "type" -> type = string(p, name);
                case "diff_ids" -> diffIds = list(p, name, parser -> Digest.parse(required(parser, name)));
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.RootFs(type, diffIds);
    }

    private static ImageConfig.History history(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "history", "an object");
        String created = null;
        String createdBy = null;
        String author = null;
        String comment = null;
        Boolean emptyLayer = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "created" -> created = string(p, name);
                case "created_by" -> createdBy = string(p, name);
                case "author" -> author = string(p, name);
                case "comment" -> comment = string(p, name);
                case "empty_layer" -> {
                    if (value != JsonToken.VALUE_NULL && !value.isBoolean()) {
                        throw new JsonParseException(p, "expected a boolean for 'empty_layer', found " + value);
                    }
                    emptyLayer = value == JsonToken.VALUE_NULL ? null : value == JsonToken.VALUE_TRUE;
                }
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.History(created, createdBy, author, comment, emptyLayer);
    }

    /** An object of any values ({@code ExposedPorts}, {@code Volumes}: their values are {@code {}}), as plain Java values. */
    private static Map<String, Object> objects(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, field, "an object");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) plain(p);
        return values;
    }

    /** The current value as databind reads it into {@code Object}: maps, lists, strings, numbers, booleans, null. */
    private static Object plain(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, plain(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(plain(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }

    private interface Element<T> {
        T read(JsonParser p) throws IOException;
    }

    private static <T> List<T> list(JsonParser p, String field, Element<T> element) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_ARRAY, field, "an array");
        List<T> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            T value = element.read(p);
            if (value == null) {
                throw new JsonParseException(p, "null in '" + field + "'");
            }
            values.add(value);
        }
        return values;
    }

    /** An object of strings; {@code nullValues}: a value may be null (Docker writes such labels). */
    private static Map<String, String> strings(JsonParser p, String field, boolean nullValues) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, field, "an object of strings");
        Map<String, String> values = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            values.put(name, nullValues ? string(p, field + "." + name) : required(p, field + "." + name));
        }
        return values;
    }

    private static String required(JsonParser p, String field) throws IOException {
        String value = string(p, field);
        if (value == null) {
            throw new JsonParseException(p, "null for '" + field + "'");
        }
        return value;
    }

    /** A tree (an edited image config) as databind writes it, without databind's serializers. */
    static byte[] write(JsonNode tree) {
        return compact(g -> writeTree(g, tree));
    }

    private static void writeTree(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    g.writeFieldName(field.getKey());
                    writeTree(g, field.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode element : node) {
                    writeTree(g, element);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL, MISSING -> g.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                }
            }
            default -> throw new IOException("an image config holds no " + node.getNodeType() + " node");
        }
    }

    private static byte[] compact(JsonStreams.Writing writing) {
        try {
            return JsonStreams.generate(false, writing);
        } catch (IOException e) {
            throw new IllegalStateException("image documents always serialize", e);
        }
    }

    /** A descriptor as a field ({@code name}) or an array element ({@code name} null); nothing when null. */
    private static void writeDescriptor(JsonGenerator g, String name, Descriptor d) throws IOException {
        if (d == null) {
            return;
        }
        if (name != null) {
            g.writeFieldName(name);
        }
        g.writeStartObject();
        writeString(g, "mediaType", d.mediaType());
        if (d.digest() != null) {
            g.writeStringField("digest", d.digest().toString());
        }
        g.writeNumberField("size", d.size());
        Platform platform = d.platform();
        if (platform != null) {
            g.writeObjectFieldStart("platform");
            writeString(g, "architecture", platform.architecture());
            writeString(g, "os", platform.os());
            writeString(g, "variant", platform.variant());
            writeString(g, "os.version", platform.osVersion());
            writeList(g, "os.features", platform.osFeatures());
            g.writeEndObject();
        }
        writeStrings(g, "annotations", d.annotations());
        writeList(g, "urls", d.urls());
        writeString(g, "artifactType", d.artifactType());
        g.writeEndObject();
    }

    private static void writeString(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values != null && !values.isEmpty()) {
            g.writeArrayFieldStart(name);
            for (String value : values) {
                g.writeString(value);
            }
            g.writeEndArray();
        }
    }

    private static void writeStrings(JsonGenerator g, String name, Map<String, String> values) throws IOException {
        if (values != null && !values.isEmpty()) {
            g.writeObjectFieldStart(name);
            for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
                g.writeStringField(entry.getKey(), entry.getValue());
            }
            g.writeEndObject();
        }
    }
}
