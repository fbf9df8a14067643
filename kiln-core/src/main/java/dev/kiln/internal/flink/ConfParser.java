package dev.kiln.internal.flink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flink's two configuration file formats, read into flat {@code key → value} text as Flink reads them:
 * {@code flink-conf.yaml} line by line ({@code key: value}, {@code #} starts a comment, the value taken
 * as written — Flink's own legacy parser, not YAML), and Flink 1.19+'s {@code config.yaml} as standard
 * YAML whose nested mappings become dotted keys. What Flink would skip with a logged warning (a line
 * without {@code ": "}, an empty value) or take silently (a key set twice) is refused here, with its line.
 */
final class ConfParser {
    private static final YAMLFactory YAML = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ConfParser() {
    }

    /** {@code flink-conf.yaml}: one {@code key: value} a line, as Flink's {@code GlobalConfiguration} splits it. */
    static Map<String, String> flat(String text, String file) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        String[] all = text.split("\\R", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i].split("#", 2)[0].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] kv = line.split(": ", 2);
            String where = file + " line " + (i + 1) + ": ";
            if (kv.length < 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new InvalidInputException(where + "'" + line + "' is not 'key: value' with a value; Flink would skip it"
                        + (line.endsWith(":") ? " (flink-conf.yaml is flat: nested keys belong in config.yaml, Flink 1.19+)" : ""));
            }
            String key = kv[0].strip();
            Integer earlier = lines.put(key, i + 1);
            if (earlier != null) {
                throw new InvalidInputException(where + key + " is already set on line " + earlier);
            }
            settings.put(key, kv[1].strip());
        }
        return settings;
    }

    /** {@code config.yaml}: a YAML mapping; nested keys joined with dots, scalars as written, lists in YAML's flow form. */
    static Map<String, String> nested(String text, String file) {
        Map<String, String> settings = new LinkedHashMap<>();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return settings;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidInputException(file + ": expected a mapping of configuration keys, not " + parser.getText());
            }
            mapping(parser, "", settings, file);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + " line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
        return settings;
    }

    private static void mapping(JsonParser parser, String prefix, Map<String, String> settings, String file) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix + parser.currentName();
            int line = parser.currentLocation().getLineNr();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                mapping(parser, key + ".", settings, file);
                continue;
            }
            String text = value == JsonToken.START_ARRAY ? list(parser, key, file) : scalar(parser, key, file);
            // a dotted key and the same key spelled nested are one setting
            if (settings.put(key, text) != null) {
                throw new InvalidInputException(file + " line " + line + ": " + key + " is set twice");
            }
        }
    }

    private static String list(JsonParser parser, String key, String file) throws IOException {
        List<String> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken().isStructStart()) {
                throw new InvalidInputException(file + " line " + parser.currentLocation().getLineNr() + ": " + key
                        + " is a list of lists or mappings, which Flink's options do not take");
            }
            items.add(scalar(parser, key, file));
        }
        return "[" + String.join(", ", items) + "]";
    }

    private static String scalar(JsonParser parser, String key, String file) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL || parser.getText().isEmpty()) {
            throw new InvalidInputException(file + " line " + parser.currentLocation().getLineNr() + ": " + key + " has no value");
        }
        // the scalar as written (2, not 2.0; 0.50 stays 0.50): Flink converts it by the option's own type
        return parser.getText();
    }
}
