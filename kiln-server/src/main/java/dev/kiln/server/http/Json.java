package dev.kiln.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.UncheckedIOException;

/**
 * The service's JSON, set up as the CLI's {@code --json} output (times in RFC 3339, durations ISO 8601),
 * and strict on input: an unknown field or trailing text is an error that names it.
 */
public final class Json {
    /** The one mapper of the service. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    /** {@code value} as one line of JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code text} read as {@code type}; malformed JSON or an unknown field is a 400 naming what is wrong. */
    public static <T> T read(String text, Class<T> type, String what) {
        try {
            return MAPPER.readValue(text, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest(what + ": unknown field '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(what + ": " + oneLine(e.getOriginalMessage()));
        }
    }

    private static String oneLine(String message) {
        String line = message == null ? "malformed JSON" : message.lines().findFirst().orElse(message);
        return line.replaceAll("\\(class [^)]*\\)", "").replaceAll("`[a-z.]+\\.([A-Za-z$]+)`", "$1").strip();
    }
}
