package dev.kiln.internal.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.kiln.error.InvalidInputException;

/** Shell-like words of an instruction's arguments: white space separates, quotes group, a backslash escapes. */
final class Words {
    private Words() {
    }

    static List<String> split(String text, Function<String, InvalidInputException> error) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < text.length() && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\\')) {
                    word.append(text.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) != '$') {
                word.append(text.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw error.apply("unterminated quote in '" + text + "'");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
