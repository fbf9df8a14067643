package dev.kiln.internal.dockerfile;

import java.util.List;

/**
 * {@code echo} and {@code printf} as every shell prints them: {@code echo} of plain arguments (its options and
 * backslashes are where dash, bash and busybox disagree, so they are refused) and {@code printf} of a format of
 * {@code %s}, {@code %%}, {@code \n}, {@code \t} and {@code \\}, the format repeated while arguments remain.
 */
final class PrintCommands {
    private PrintCommands() {
    }

    /** {@code echo} of plain arguments and {@code printf} of %s, \n, \t and \\: what they print goes to {@code out}. */
    static int print(String program, List<String> args, StringBuilder out) {
        if (program.equals("echo")) {
            String refused = echoRefusal(args);
            if (refused != null) {
                throw new ShellError(refused);
            }
            out.append(String.join(" ", args)).append('\n');
            return 0;
        }
        if (args.isEmpty()) {
            throw new ShellError("printf: usage: printf format [arg ...]");
        }
        String format = args.get(0);
        String refused = printfRefusal(format);
        if (refused != null) {
            throw new ShellError(refused);
        }
        List<String> rest = args.subList(1, args.size());
        int next = 0;
        do {
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c == '\\') {
                    char e = format.charAt(++i);
                    out.append(e == 'n' ? '\n' : e == 't' ? '\t' : '\\');
                } else if (c == '%') {
                    char e = format.charAt(++i);
                    out.append(e == '%' ? "%" : next < rest.size() ? rest.get(next++) : "");
                } else {
                    out.append(c);
                }
            }
        } while (next < rest.size() && format.contains("%s"));
        return 0;
    }

    /** Why {@code echo} with these arguments is refused (shells disagree on options and backslashes), or null. */
    static String echoRefusal(List<String> args) {
        if (!args.isEmpty() && args.get(0).matches("-[neE]+")) {
            return "echo " + args.get(0) + ": echo takes no options in Kiln (shells disagree on them); use printf";
        }
        for (String arg : args) {
            if (arg.indexOf('\\') >= 0) {
                return "echo with a backslash ('" + arg + "'): shells disagree on what it prints; use printf";
            }
        }
        return null;
    }

    /** Why this {@code printf} format is refused, or null: Kiln prints %s, %%, \n, \t and \\ only. */
    static String printfRefusal(String format) {
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c == '\\' || c == '%') {
                char e = i + 1 < format.length() ? format.charAt(i + 1) : ' ';
                if (c == '\\' && "nt\\".indexOf(e) < 0 || c == '%' && "s%".indexOf(e) < 0) {
                    return "printf format '" + format + "': Kiln prints %s, %%, \\n, \\t and \\\\ only";
                }
                i++;
            }
        }
        return null;
    }
}
