package dev.kiln.internal.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.kiln.error.InvalidInputException;

/**
 * A {@code RUN} command line parsed as {@code /bin/sh -c} would, for the part of the shell language that
 * file operations need: words with {@code '…'}, {@code "…"} and backslash quoting, {@code $VAR},
 * {@code ${VAR}}, {@code ${VAR:-default}} (and {@code -}, {@code :+}, {@code +}), commands joined by
 * {@code &&} and {@code ;}, a redirect {@code >} or {@code >>} into a file, comments. Everything else the
 * shell would do (pipes, {@code ||}, {@code $(…)}, backquotes, subshells, groups, heredocs, other
 * redirects, background jobs) is refused here, before the build asks anything of a registry.
 */
final class ShellScript {
    /** A piece of a word: literal text or a variable, each quoted ({@code "…"} or {@code '…'} or {@code \x}) or not. */
    sealed interface Part permits Literal, Variable {
    }

    record Literal(String text, boolean quoted) implements Part {
    }

    /** {@code $name}, or {@code ${name OP word}} with {@code op} one of {@code :-}, {@code -}, {@code :+}, {@code +} (or null). */
    record Variable(String name, String op, Word word, boolean quoted) implements Part {
    }

    record Word(List<Part> parts) {
        /** The word's text when it holds no variable (for command names and options), else null. */
        String literal() {
            StringBuilder text = new StringBuilder();
            for (Part part : parts) {
                if (!(part instanceof Literal l)) {
                    return null;
                }
                text.append(l.text());
            }
            return text.toString();
        }
    }

    /** One simple command; {@code next} is how it joins the following one: {@code &&}, {@code ;}, or null at the end. */
    record Command(List<Word> words, Word redirect, boolean append, String next) {
        String name() {
            return words.isEmpty() ? "" : words.get(0).literal();
        }
    }

    private final String text;
    private final Function<String, InvalidInputException> error;
    private int pos;

    private ShellScript(String text, Function<String, InvalidInputException> error) {
        this.text = text;
        this.error = error;
    }

    /** The commands of {@code script}; {@code error} makes the refusal (it adds file, line and the RUN). */
    static List<Command> parse(String script, Function<String, InvalidInputException> error) {
        return new ShellScript(script, error).commands();
    }

    private List<Command> commands() {
        List<Command> commands = new ArrayList<>();
        List<Word> words = new ArrayList<>();
        Word redirect = null;
        boolean append = false;
        while (true) {
            skipBlanks();
            if (pos >= text.length() || peek() == '#') {
                break;
            }
            char c = peek();
            if (c == '&' && at("&&")) {
                pos += 2;
                commands.add(end(words, redirect, append, "&&"));
                words = new ArrayList<>();
                redirect = null;
            } else if (c == ';' || c == '\n') {
                if (at(";;")) {
                    throw refuse("';;' belongs to case, which Kiln does not carry out");
                }
                pos++;
                if (!words.isEmpty() || redirect != null) {
                    commands.add(end(words, redirect, append, ";"));
                } else if (c == ';') {
                    throw refuse("syntax error near unexpected token ';'");
                }
                words = new ArrayList<>();
                redirect = null;
            } else if (c == '|') {
                throw refuse(at("||") ? "'||' runs a command when another fails; Kiln joins commands with && and ; only"
                        : "a pipe ('|') passes output to a program; Kiln carries out only file operations");
            } else if (c == '&') {
                throw refuse("'&' runs a command in the background; Kiln joins commands with && and ; only");
            } else if (c == '(' || c == ')') {
                throw refuse("a subshell ('(…)') needs a shell; Kiln carries out simple commands joined by && and ;");
            } else if (c == '<') {
                throw refuse(at("<<") ? "a heredoc ('<<') needs a shell; write the file with echo or printf, or COPY it"
                        : "an input redirect ('<') needs a program to read it; Kiln redirects only output into a file (> or >>)");
            } else if (c == '>') {
                if (redirect != null) {
                    throw refuse("more than one redirect in one command");
                }
                append = at(">>");
                pos += append ? 2 : 1;
                if (pos < text.length() && (peek() == '&' || peek() == '|')) {
                    throw refuse("a redirect other than > or >> into a file ('>" + peek() + "')");
                }
                skipBlanks();
                if (pos >= text.length() || "&;|<>()".indexOf(peek()) >= 0) {
                    throw refuse("a redirect ('>') needs a file name");
                }
                redirect = word();
            } else {
                int start = pos;
                Word word = word();
                if (pos < text.length() && (peek() == '>' || peek() == '<') && text.substring(start, pos).matches("\\d+")) {
                    throw refuse("a redirect other than > or >> into a file ('" + text.substring(start, pos) + peek() + "')");
                }
                String literal = word.literal();
                if (words.isEmpty() && literal != null && (literal.equals("{") || literal.equals("!"))
                        && word.parts().size() == 1 && !((Literal) word.parts().get(0)).quoted()) {
                    throw refuse("'" + literal + "' is shell syntax Kiln does not carry out; it runs simple commands joined by && and ;");
                }
                words.add(word);
            }
        }
        if (!words.isEmpty() || redirect != null) {
            commands.add(end(words, redirect, append, null));
        } else if (!commands.isEmpty() && "&&".equals(commands.get(commands.size() - 1).next())) {
            throw refuse("the command line ends with '&&'");
        }
        if (commands.isEmpty()) {
            throw refuse("RUN has no command");
        }
        return commands;
    }

    private Command end(List<Word> words, Word redirect, boolean append, String next) {
        if (words.isEmpty()) {
            throw refuse(redirect != null ? "a redirect without a command; write ': > FILE' to create an empty file"
                    : "syntax error near unexpected token '" + next + "'");
        }
        return new Command(List.copyOf(words), redirect, append, next);
    }

    private Word word() {
        List<Part> parts = new ArrayList<>();
        while (pos < text.length()) {
            char c = peek();
            if (Character.isWhitespace(c) || "&;|<>()".indexOf(c) >= 0) {
                break;
            }
            if (c == '\'') {
                int close = text.indexOf('\'', pos + 1);
                if (close < 0) {
                    throw refuse("unterminated quote (')");
                }
                parts.add(new Literal(text.substring(pos + 1, close), true));
                pos = close + 1;
            } else if (c == '"') {
                pos++;
                doubleQuoted(parts);
            } else if (c == '\\') {
                if (pos + 1 >= text.length()) {
                    pos++;
                    break;
                }
                parts.add(new Literal(String.valueOf(text.charAt(pos + 1)), true));
                pos += 2;
            } else if (c == '`') {
                throw refuse("command substitution ('`…`') runs a program; Kiln carries out only file operations");
            } else if (c == '$') {
                parts.add(dollar(false));
            } else {
                int start = pos;
                while (pos < text.length() && "'\"\\`$&;|<>() \t\n\r".indexOf(peek()) < 0) {
                    pos++;
                }
                parts.add(new Literal(text.substring(start, pos), false));
            }
        }
        return new Word(List.copyOf(parts));
    }

    private void doubleQuoted(List<Part> parts) {
        StringBuilder literal = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw refuse("unterminated quote (\")");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            if (c == '\\' && pos + 1 < text.length() && "$`\"\\\n".indexOf(text.charAt(pos + 1)) >= 0) {
                literal.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '`') {
                throw refuse("command substitution ('`…`') runs a program; Kiln carries out only file operations");
            } else if (c == '$') {
                parts.add(new Literal(literal.toString(), true));
                literal.setLength(0);
                parts.add(dollar(true));
            } else {
                literal.append(c);
                pos++;
            }
        }
        parts.add(new Literal(literal.toString(), true));
    }

    private Part dollar(boolean quoted) {
        pos++; // $
        if (pos >= text.length()) {
            return new Literal("$", quoted);
        }
        char c = peek();
        if (c == '(') {
            throw refuse(at("((") ? "arithmetic ('$((…))') needs a shell; Kiln expands variables only"
                    : "command substitution ('$(…)') runs a program; Kiln carries out only file operations");
        }
        if (c == '{') {
            int close = text.indexOf('}', pos);
            if (close < 0) {
                throw refuse("unclosed '${'");
            }
            String inside = text.substring(pos + 1, close);
            pos = close + 1;
            int end = 0;
            while (end < inside.length() && (Character.isLetterOrDigit(inside.charAt(end)) || inside.charAt(end) == '_')) {
                end++;
            }
            String name = inside.substring(0, end);
            if (name.isEmpty() || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
                throw refuse("'${" + inside + "}' is a special parameter or an expansion Kiln does not carry out");
            }
            String rest = inside.substring(end);
            if (rest.isEmpty()) {
                return new Variable(name, null, null, quoted);
            }
            for (String op : List.of(":-", ":+", "-", "+")) {
                if (rest.startsWith(op)) {
                    // the word after the operator is quoted as the ${…} around it is
                    ShellScript inner = new ShellScript(rest.substring(op.length()) + (quoted ? "\"" : ""), error);
                    List<Part> parts = new ArrayList<>();
                    if (quoted) {
                        inner.doubleQuoted(parts);
                    } else {
                        // white space inside the braces is part of the word (the result is split later)
                        while (inner.pos < inner.text.length()) {
                            int start = inner.pos;
                            inner.skipBlanks();
                            if (inner.pos > start) {
                                parts.add(new Literal(inner.text.substring(start, inner.pos), false));
                            }
                            if (inner.pos < inner.text.length()) {
                                int before = inner.pos;
                                parts.addAll(inner.word().parts());
                                if (inner.pos == before) {
                                    parts.add(new Literal(String.valueOf(inner.text.charAt(inner.pos++)), false));
                                }
                            }
                        }
                    }
                    return new Variable(name, op, new Word(parts), quoted);
                }
            }
            throw refuse("'${" + inside + "}': Kiln expands ${NAME}, ${NAME:-default} and ${NAME:+alternative}");
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
                pos++;
            }
            return new Variable(text.substring(start, pos), null, null, quoted);
        }
        if ("?$!#@*-0123456789".indexOf(c) >= 0) {
            throw refuse("'$" + c + "' is a special parameter of a running shell; Kiln expands ENV and ARG variables only");
        }
        return new Literal("$", quoted);
    }

    private void skipBlanks() {
        while (pos < text.length() && (peek() == ' ' || peek() == '\t' || peek() == '\r')) {
            pos++;
        }
    }

    private boolean at(String token) {
        return text.startsWith(token, pos);
    }

    private char peek() {
        return text.charAt(pos);
    }

    private InvalidInputException refuse(String message) {
        return error.apply(message);
    }
}
