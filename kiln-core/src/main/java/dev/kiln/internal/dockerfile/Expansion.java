package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellScript.Literal;
import dev.kiln.internal.dockerfile.ShellScript.Part;
import dev.kiln.internal.dockerfile.ShellScript.Variable;
import dev.kiln.internal.dockerfile.ShellScript.Word;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the shell makes of a word before a command sees it: variables substituted, unquoted results split
 * at white space, and unquoted {@code *}, {@code ?} and {@code […]} matched against the image's tree
 * (sorted as the C locale sorts; a pattern that matches nothing stays as written; {@code *} does not
 * match a leading dot).
 */
final class Expansion {
    private final Function<String, String> env;
    private final ImageTree tree;
    private final String cwd;

    /** One field: its text, and which of its characters were quoted (those never match as a pattern). */
    private static final class Field {
        final StringBuilder text = new StringBuilder();
        final BitSet quoted = new BitSet();
        boolean exists;

        void append(String s, boolean isQuoted) {
            if (isQuoted) {
                quoted.set(text.length(), text.length() + s.length());
            }
            text.append(s);
            exists = true;
        }
    }

    /** {@code env}: a variable's value, null when unset. */
    Expansion(Function<String, String> env, ImageTree tree, String cwd) {
        this.env = env;
        this.tree = tree;
        this.cwd = cwd;
    }

    /** The arguments {@code words} become. */
    List<String> arguments(List<Word> words) {
        List<String> args = new ArrayList<>();
        for (Word word : words) {
            for (Field field : fields(word)) {
                args.addAll(glob(field));
            }
        }
        return args;
    }

    /** A redirect's file name: variables substituted, neither split nor matched as a pattern (as dash, Debian's sh, does). */
    String single(Word word) {
        return String.join(" ", fields(word).stream().map(f -> f.text.toString()).toList());
    }

    private List<Field> fields(Word word) {
        List<Field> fields = new ArrayList<>();
        Field current = new Field();
        fields.add(current);
        for (Part part : word.parts()) {
            if (part instanceof Literal l) {
                current.append(l.text(), l.quoted());
                continue;
            }
            Variable v = (Variable) part;
            String value = value(v);
            if (v.quoted()) {
                current.append(value, true);
                continue;
            }
            // field splitting at IFS white space
            int i = 0;
            while (i < value.length()) {
                if (isBlank(value.charAt(i))) {
                    while (i < value.length() && isBlank(value.charAt(i))) {
                        i++;
                    }
                    if (current.exists) {
                        current = new Field();
                        fields.add(current);
                    }
                    continue;
                }
                int start = i;
                while (i < value.length() && !isBlank(value.charAt(i))) {
                    i++;
                }
                current.append(value.substring(start, i), false);
            }
        }
        return fields.stream().filter(f -> f.exists).toList();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    private String value(Variable v) {
        String value = env.apply(v.name());
        if (v.op() == null) {
            return value == null ? "" : value;
        }
        boolean set = v.op().startsWith(":") ? value != null && !value.isEmpty() : value != null;
        String word = single(v.word());
        return v.op().endsWith("-") ? (set ? value : word) : (set ? word : "");
    }

    private List<String> glob(Field field) {
        String text = field.text.toString();
        boolean pattern = false;
        for (int i = 0; i < text.length(); i++) {
            if (!field.quoted.get(i) && "*?[".indexOf(text.charAt(i)) >= 0) {
                pattern = true;
            }
        }
        if (!pattern) {
            return List.of(text);
        }
        List<String> matches = new ArrayList<>();
        boolean absolute = text.startsWith("/");
        List<int[]> components = new ArrayList<>();
        int start = absolute ? 1 : 0;
        for (int i = start; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '/') {
                if (i > start) {
                    components.add(new int[]{start, i});
                }
                start = i + 1;
            }
        }
        expand(field, components, 0, absolute ? "/" : "", matches);
        if (text.endsWith("/")) {
            // a pattern ending in / matches directories only, and keeps the slash
            matches.removeIf(m -> !isDirectory(m));
            matches.replaceAll(m -> m + "/");
        }
        if (matches.isEmpty()) {
            return List.of(text);
        }
        matches.sort(ImageTree::compareBytes);
        return matches;
    }

    private void expand(Field field, List<int[]> components, int index, String prefix, List<String> matches) {
        if (index == components.size()) {
            matches.add(prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
            return;
        }
        int[] c = components.get(index);
        String component = field.text.substring(c[0], c[1]);
        boolean last = index == components.size() - 1;
        String regex = regex(field, c[0], c[1]);
        if (regex == null) {
            String path = prefix + component;
            if (last ? exists(path) : true) {
                expand(field, components, index + 1, last ? path : path + "/", matches);
            }
            return;
        }
        String dir;
        try {
            dir = tree.resolve(cwd, prefix.isEmpty() ? "." : prefix, true);
        } catch (ShellError e) {
            return;
        }
        if (tree.typeOf(dir) != 'd') {
            return;
        }
        Pattern p = Pattern.compile(regex);
        List<String> names = new ArrayList<>();
        if (component.startsWith(".")) {
            names.addAll(List.of(".", "..")); // a pattern that starts with a dot matches them too, as in dash
        }
        names.addAll(tree.children(dir));
        for (String name : names) {
            if (name.startsWith(".") && !component.startsWith(".")) {
                continue;
            }
            if (p.matcher(name).matches()) {
                String path = prefix + name;
                if (last) {
                    matches.add(path);
                } else if (isDirectory(path)) {
                    expand(field, components, index + 1, path + "/", matches);
                }
            }
        }
    }

    private boolean exists(String path) {
        try {
            return tree.typeOf(tree.resolve(cwd, path, false)) != 0;
        } catch (ShellError e) {
            return false;
        }
    }

    private boolean isDirectory(String path) {
        try {
            return tree.typeOf(tree.resolve(cwd, path, true)) == 'd';
        } catch (ShellError e) {
            return false;
        }
    }

    /** The component as a regular expression, or null when it has no unquoted pattern character. */
    private static String regex(Field field, int from, int to) {
        StringBuilder regex = new StringBuilder();
        boolean pattern = false;
        for (int i = from; i < to; i++) {
            char ch = field.text.charAt(i);
            boolean quoted = field.quoted.get(i);
            if (!quoted && ch == '*') {
                regex.append(".*");
                pattern = true;
            } else if (!quoted && ch == '?') {
                regex.append('.');
                pattern = true;
            } else if (!quoted && ch == '[' && field.text.indexOf("]", i + 2) >= 0 && field.text.indexOf("]", i + 2) < to) {
                int close = field.text.indexOf("]", i + 2);
                String set = field.text.substring(i + 1, close);
                if (set.startsWith("!") || set.startsWith("^")) {
                    set = "^" + set.substring(1);
                }
                regex.append('[').append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
                pattern = true;
            } else {
                regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return pattern ? regex.toString() : null;
    }
}
