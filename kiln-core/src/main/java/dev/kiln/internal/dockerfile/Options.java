package dev.kiln.internal.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of the file commands Kiln carries out, parsed as GNU getopt does (grouped short options,
 * {@code --long} and {@code --long=value}, options anywhere before {@code --}); an option Kiln does not
 * carry out is refused by name.
 */
final class Options {
    /** Short options ({@code m:} takes a value) and long names → their short letter. */
    private record Spec(String shorts, Map<String, Character> longs) {
    }

    /** The commands a RUN may use, with what Kiln carries out of them (echo and printf take no options). */
    static final Set<String> COMMANDS = Set.of("mkdir", "rm", "rmdir", "ln", "chmod", "chown", "chgrp", "touch", "cp", "mv",
            "echo", "printf", "true", ":", "false", "cd", "set");

    private static final Map<String, Spec> SPECS = Map.of(
            "mkdir", new Spec("pvm:", Map.of("parents", 'p', "verbose", 'v', "mode", 'm')),
            "rm", new Spec("fRrdv", Map.of("force", 'f', "recursive", 'r', "dir", 'd', "verbose", 'v')),
            "rmdir", new Spec("pv", Map.of("parents", 'p', "verbose", 'v')),
            "ln", new Spec("sfnTv", Map.of("symbolic", 's', "force", 'f', "no-dereference", 'n', "no-target-directory", 'T', "verbose", 'v')),
            "chmod", new Spec("Rv", Map.of("recursive", 'R', "verbose", 'v')),
            "chown", new Spec("Rhv", Map.of("recursive", 'R', "no-dereference", 'h', "verbose", 'v')),
            "chgrp", new Spec("Rhv", Map.of("recursive", 'R', "no-dereference", 'h', "verbose", 'v')),
            "touch", new Spec("c", Map.of("no-create", 'c')),
            "cp", new Spec("rRapfPdLvT", Map.of("recursive", 'r', "archive", 'a', "force", 'f', "no-dereference", 'P', "dereference", 'L',
                    "verbose", 'v', "no-target-directory", 'T', "preserve", 'p')),
            "mv", new Spec("fvT", Map.of("force", 'f', "verbose", 'v', "no-target-directory", 'T')));

    final Set<Character> flags = new HashSet<>();
    final Map<Character, String> values = new HashMap<>();
    final List<String> operands = new ArrayList<>();

    boolean has(char flag) {
        return flags.contains(flag);
    }

    /** Parses {@code args} of {@code program}; fails as the command would on an option Kiln does not carry out. */
    static Options parse(String program, List<String> args) {
        Spec spec = SPECS.get(program);
        Options options = new Options();
        boolean ended = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (ended || !arg.startsWith("-") || arg.equals("-") || program.equals("chmod") && Modes.isMode(arg.substring(1))
                    && !arg.startsWith("--")) {
                options.operands.add(arg);
            } else if (arg.equals("--")) {
                ended = true;
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                if (name.contains("=")) {
                    value = name.substring(name.indexOf('=') + 1);
                    name = name.substring(0, name.indexOf('='));
                }
                Character letter = spec.longs().get(name);
                if (letter == null || program.equals("cp") && name.equals("preserve") && value != null) {
                    throw unsupported(program, arg);
                }
                if (spec.shorts().contains(letter + ":")) {
                    if (value == null) {
                        if (++i >= args.size()) {
                            throw new ShellError(program + ": option '" + arg + "' requires an argument");
                        }
                        value = args.get(i);
                    }
                    options.values.put(letter, value);
                }
                options.flags.add(letter);
            } else {
                for (int j = 1; j < arg.length(); j++) {
                    char c = arg.charAt(j);
                    int at = spec.shorts().indexOf(c);
                    if (at < 0 || c == ':') {
                        throw unsupported(program, "-" + c);
                    }
                    options.flags.add(c);
                    if (at + 1 < spec.shorts().length() && spec.shorts().charAt(at + 1) == ':') {
                        String value = j + 1 < arg.length() ? arg.substring(j + 1) : (++i < args.size() ? args.get(i) : null);
                        if (value == null) {
                            throw new ShellError(program + ": option requires an argument -- '" + c + "'");
                        }
                        options.values.put(c, value);
                        break;
                    }
                }
            }
        }
        return options;
    }

    private static ShellError unsupported(String program, String option) {
        StringBuilder known = new StringBuilder();
        Spec spec = SPECS.get(program);
        for (char c : spec.shorts().replace(":", "").toCharArray()) {
            known.append(known.length() == 0 ? "" : ", ").append('-').append(c);
        }
        return new ShellError(program + " " + option + " is not carried out by Kiln (" + program + " takes " + known + ")");
    }

    /** The text of the fixed refusal of a program Kiln does not carry out. */
    static String notAFileOperation(String program) {
        return program + " is a program; Kiln carries out only file operations (mkdir, rm, ln, chmod, chown, cp, mv, touch, echo > file)";
    }
}
