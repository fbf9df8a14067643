package dev.kiln.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;

/**
 * What Kiln's hand-written JSON readers and writers share (image documents, the store's records): Jackson's
 * streaming parser and generator, which cost a short-lived JVM little to start, unlike databind. Readers take
 * one object, ignore what they do not know and refuse anything after it, as Go's json.Unmarshal does.
 */
public final class JsonStreams {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonStreams() {
    }

    /** A parser on {@code json}, at the start of its one object; anything else is refused. */
    public static JsonParser openObject(byte[] json) throws IOException {
        return atObject(FACTORY.createParser(json));
    }

    /** A parser on {@code json}, at the start of its one object; anything else is refused. */
    public static JsonParser openObject(String json) throws IOException {
        return atObject(FACTORY.createParser(json));
    }

    private static JsonParser atObject(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "not a JSON object");
        }
        return p;
    }

    /** Refuses anything after the document. */
    public static void end(JsonParser p) throws IOException {
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            throw new JsonParseException(p, "trailing token (" + trailing + ") after the document");
        }
    }

    /** Refuses a current token other than {@code token}, naming {@code field} and {@code what} was expected. */
    public static void expect(JsonParser p, JsonToken token, String field, String what) throws IOException {
        if (p.currentToken() != token) {
            throw new JsonParseException(p, "expected " + what + " for '" + field + "', found " + p.currentToken());
        }
    }

    /** The current string, or {@code null} for JSON null. */
    public static String string(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.VALUE_STRING, field, "a string");
        return p.getText();
    }

    /** The current integer; {@code null} is 0, as for a primitive field. */
    public static long number(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return 0;
        }
        expect(p, JsonToken.VALUE_NUMBER_INT, field, "an integer");
        return p.getLongValue();
    }

    /** Writes one document. */
    @FunctionalInterface
    public interface Writing {
        void write(JsonGenerator g) throws IOException;
    }

    /** The bytes {@code writing} generates: compact, or indented as databind's default pretty printer does. */
    public static byte[] generate(boolean indented, Writing writing) throws IOException {
        try (ByteArrayBuilder out = new ByteArrayBuilder(1024); JsonGenerator g = FACTORY.createGenerator(out)) {
            if (indented) {
                g.useDefaultPrettyPrinter();
            }
            writing.write(g);
            g.flush();
            return out.toByteArray();
        }
    }
}
