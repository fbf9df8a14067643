package dev.kiln.internal.dockerfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.error.InvalidInputException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Dockerfile into instructions as BuildKit's parser does: parser directives at the top
 * ({@code # escape=`}), comments, line continuations with the escape character (comment lines
 * inside a continuation are dropped), {@code --flag=value} options, exec (JSON) or shell form.
 * Errors name the file, line and column.
 */
public final class DockerfileParser {
    static final Set<String> KNOWN = Set.of("FROM", "ARG", "COPY", "ADD", "ENV", "LABEL", "WORKDIR", "USER", "ENTRYPOINT", "CMD",
            "EXPOSE", "VOLUME", "RUN", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER");
    private static final Pattern DIRECTIVE = Pattern.compile("#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*");
    private static final Pattern FLAG = Pattern.compile("--([a-z][a-z-]*)(?:=(\\S*))?");
    private static final JsonFactory JSON = new JsonFactory();

    private final String file;

    private DockerfileParser(String file) {
        this.file = file;
    }

    /** The instructions of {@code text}; {@code file} names it in errors. */
    public static List<Instruction> parse(String text, String file) {
        return new DockerfileParser(file).parse(text);
    }

    private List<Instruction> parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        char escape = '\\';
        int i = 0;
        // parser directives: only at the very top, before any comment, blank line or instruction
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i].strip());
            if (!m.matches()) {
                break;
            }
            if (m.group(1).equalsIgnoreCase("escape")) {
                if (!m.group(2).equals("\\") && !m.group(2).equals("`")) {
                    throw error(i + 1, 1, "invalid escape directive '" + m.group(2) + "': the escape character is \\ or `");
                }
                escape = m.group(2).charAt(0);
            }
        }
        List<Instruction> instructions = new ArrayList<>();
        while (i < lines.length) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                i++;
                continue;
            }
            int start = i + 1;
            StringBuilder logical = new StringBuilder();
            while (true) {
                String current = lines[i];
                String stripped = stripTrailing(current);
                boolean continues = stripped.endsWith(String.valueOf(escape)) && !stripped.endsWith(String.valueOf(escape) + escape);
                logical.append(continues ? stripped.substring(0, stripped.length() - 1) : current);
                i++;
                if (!continues) {
                    break;
                }
                // inside a continuation, comment and empty lines are skipped
                while (i < lines.length && (lines[i].strip().startsWith("#") || lines[i].strip().isEmpty())) {
                    i++;
                }
                if (i >= lines.length) {
                    break;
                }
            }
            instructions.add(instruction(start, logical.toString()));
        }
        return instructions;
    }

    private static String stripTrailing(String line) {
        return line.replaceAll("\\s+$", "");
    }

    private Instruction instruction(int line, String text) {
        String body = text.strip();
        int space = indexOfSpace(body);
        String keyword = (space < 0 ? body : body.substring(0, space)).toUpperCase(Locale.ROOT);
        int column = text.indexOf(body.charAt(0)) + 1;
        if (!KNOWN.contains(keyword)) {
            throw error(line, column, "unknown instruction '" + (space < 0 ? body : body.substring(0, space)) + "'");
        }
        String rest = space < 0 ? "" : body.substring(space).strip();
        Map<String, String> flags = new LinkedHashMap<>();
        if (keyword.equals("FROM") || keyword.equals("COPY") || keyword.equals("ADD") || keyword.equals("RUN")) {
            while (rest.startsWith("--")) {
                int end = indexOfSpace(rest);
                String token = end < 0 ? rest : rest.substring(0, end);
                Matcher m = FLAG.matcher(token);
                if (!m.matches() || m.group(2) == null) {
                    throw error(line, column + text.strip().indexOf(token), "invalid option '" + token + "' for " + keyword
                            + ": expected --name=value");
                }
                flags.put(m.group(1), m.group(2));
                rest = end < 0 ? "" : rest.substring(end).strip();
            }
        }
        if (rest.isEmpty() && !keyword.equals("CMD") && !keyword.equals("ENTRYPOINT")) {
            throw error(line, column + keyword.length(), keyword + " needs arguments");
        }
        return new Instruction(line, keyword, flags, rest, rest.startsWith("[") ? jsonArray(rest) : null);
    }

    private static int indexOfSpace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** A JSON array of strings, or null when the text is not one (then it is shell form, as in BuildKit). */
    private static List<String> jsonArray(String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<String> values = new ArrayList<>();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.VALUE_STRING) {
                    return null;
                }
                values.add(parser.getText());
            }
            return parser.nextToken() == null ? values : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private InvalidInputException error(int line, int column, String message) {
        return new InvalidInputException(file + ":" + line + ":" + column + ": " + message);
    }
}
