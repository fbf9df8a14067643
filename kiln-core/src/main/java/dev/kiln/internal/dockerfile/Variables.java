package dev.kiln.internal.dockerfile;

import dev.kiln.error.InvalidInputException;

import java.util.Map;
import java.util.function.Function;

/**
 * Dockerfile variable substitution: {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-default}}
 * (default when unset or empty), {@code ${NAME:+alternative}} (alternative when set and not empty),
 * and the escape character before {@code $} for a literal dollar. Unset names become empty.
 */
final class Variables {
    private Variables() {
    }

    static String substitute(String text, Map<String, String> values, Function<String, InvalidInputException> error) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
            } else if (text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw error.apply("unclosed ${ in '" + text + "'");
                }
                String inside = text.substring(i + 2, close);
                out.append(expand(inside, values, error));
                i = close + 1;
            } else if (isNameStart(text.charAt(i + 1))) {
                int end = i + 1;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                out.append(values.getOrDefault(text.substring(i + 1, end), ""));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String expand(String inside, Map<String, String> values, Function<String, InvalidInputException> error) {
        int colon = inside.indexOf(':');
        String name = colon < 0 ? inside : inside.substring(0, colon);
        if (name.isEmpty() || !isNameStart(name.charAt(0)) || !name.chars().allMatch(ch -> isNamePart((char) ch))) {
            throw error.apply("invalid variable '${" + inside + "}'");
        }
        String value = values.get(name);
        if (colon < 0) {
            return value == null ? "" : value;
        }
        String word = inside.substring(colon + 1);
        if (word.startsWith("-")) {
            return value == null || value.isEmpty() ? substitute(word.substring(1), values, error) : value;
        }
        if (word.startsWith("+")) {
            return value == null || value.isEmpty() ? "" : substitute(word.substring(1), values, error);
        }
        throw error.apply("unsupported modifier in '${" + inside + "}': Kiln knows ${NAME:-default} and ${NAME:+alternative}");
    }

    private static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
