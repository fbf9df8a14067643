package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellScript.Command;
import dev.kiln.internal.dockerfile.ShellScript.Word;
import dev.kiln.error.InvalidInputException;
import dev.kiln.internal.layer.LayerEntry;
import dev.kiln.internal.layer.LayerSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A Dockerfile {@code RUN} without a container runtime: {@link #check} refuses, when the Dockerfile is
 * read, every RUN that is not file operations only (before any request); {@link #carryOut} does the
 * operations on the image's tree and returns the layer they make. Errors read
 * {@code Dockerfile:LINE: RUN NAME …: MESSAGE}, with the message the shell or the command would print.
 */
final class RunStep {
    private static final Set<String> SHELL_WORDS = Set.of("if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done",
            "case", "esac", "function", "export", "exec", "eval", "source", ".", "unset", "read", "local", "alias", "exit", "test", "[");
    private static final Set<String> SHELLS = Set.of("sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/bash", "dash", "/bin/dash");

    private RunStep() {
    }

    /** Refuses a RUN Kiln cannot carry out ({@code runs}: whether RUN is allowed at all, {@code --run=none} says no). */
    static void check(Instruction run, String file, boolean runs) {
        if (!runs) {
            throw new InvalidInputException(file + ":" + run.line() + ": RUN is refused by --run=none (the strict subset: "
                    + "no instruction changes the image's files but COPY and ADD)");
        }
        if (!run.flags().isEmpty()) {
            String flag = run.flags().keySet().iterator().next();
            throw new InvalidInputException(file + ":" + run.line() + ": RUN --" + flag + " needs a container runtime; Kiln carries out "
                    + "RUN without one, for file operations only");
        }
        commands(run, file);
    }

    /** The commands of the RUN, checked: shell form, exec form, or exec form of a shell with {@code -c SCRIPT}. */
    private static List<Command> commands(Instruction run, String file) {
        List<String> argv = run.json();
        List<Command> commands;
        if (argv != null && !(argv.size() == 3 && SHELLS.contains(argv.get(0)) && argv.get(1).equals("-c"))) {
            if (argv.isEmpty()) {
                throw new InvalidInputException(file + ":" + run.line() + ": RUN [] names no program");
            }
            commands = List.of(new Command(argv.stream().map(a -> new Word(List.of(new ShellScript.Literal(a, true)))).toList(),
                    null, false, null));
        } else {
            String script = argv != null ? argv.get(2) : run.arguments();
            String first = script.strip().split("\\s+", 2)[0];
            commands = ShellScript.parse(script, m -> error(file, run, first, m));
        }
        for (Command command : commands) {
            checkCommand(run, file, command);
        }
        return commands;
    }

    private static void checkCommand(Instruction run, String file, Command command) {
        String name = command.name();
        if (name == null) {
            throw error(file, run, "$…", "the command name comes from a variable; Kiln needs to see which file operation it is");
        }
        String program = name.startsWith("/bin/") || name.startsWith("/usr/bin/") ? name.substring(name.lastIndexOf('/') + 1) : name;
        if (SHELL_WORDS.contains(program)) {
            throw error(file, run, name, name + " is shell syntax or a shell builtin Kiln does not carry out; it runs file operations "
                    + "(mkdir, rm, ln, chmod, chown, cp, mv, touch, echo > file) joined by && and ;");
        }
        if (!Options.COMMANDS.contains(program)) {
            throw error(file, run, name, Options.notAFileOperation(name));
        }
        if (command.words().size() > 1 && name.contains("=")) {
            throw error(file, run, name, "a variable assignment needs a shell; set it with ENV or ARG");
        }
        List<String> literal = new ArrayList<>();
        for (Word word : command.words().subList(1, command.words().size())) {
            String text = word.literal();
            if (text == null) {
                return; // options that come from variables are checked when the RUN is carried out
            }
            literal.add(text);
        }
        String refusal = switch (program) {
            case "echo" -> PrintCommands.echoRefusal(literal);
            case "printf" -> literal.isEmpty() ? null : PrintCommands.printfRefusal(literal.get(0));
            case "set" -> literal.stream().allMatch(a -> a.matches("[-+][ex]+")) ? null
                    : "set " + String.join(" ", literal) + ": Kiln knows set -e and set -x only";
            case "true", ":", "false", "cd" -> null;
            default -> optionRefusal(program, literal);
        };
        if (refusal != null) {
            throw error(file, run, name, refusal);
        }
    }

    private static String optionRefusal(String program, List<String> args) {
        try {
            Options o = Options.parse(program, args);
            if (program.equals("chmod") && !o.operands.isEmpty() && !Modes.isMode(o.operands.get(0))) {
                return "chmod: invalid mode: '" + o.operands.get(0) + "'";
            }
            return null;
        } catch (ShellError e) {
            return e.getMessage();
        }
    }

    /**
     * Carries out {@code run} on {@code tree} as {@code user} in {@code workdir} (the Dockerfile's WORKDIR, made
     * when missing; null: the base's working directory) with the RUN's environment
     * ({@code env}: the base's, ARG and ENV), and returns its layer (null when it changed nothing). The
     * layer's new content is written under {@code scratch}.
     */
    static LayerSource carryOut(Instruction run, String file, ImageTree tree, Map<String, String> env, String workdir, String baseWorkdir,
                                String user, Path scratch) {
        List<Command> commands = commands(run, file);
        String first = commands.get(0).name();
        Function<String, InvalidInputException> error = m -> error(file, run, first, m);
        RunShell shell = new RunShell(tree, env, workdir != null ? workdir : baseWorkdir, user,
                (what, consulted) -> error.apply("USER " + user + ": no " + what + " in the image's " + consulted));
        int status;
        try {
            if (workdir != null) {
                shell.enterWorkdir(); // the base's own working directory is there: asking would read the base
            }
            status = shell.run(commands);
        } catch (ShellError e) {
            throw error.apply("WORKDIR " + workdir + ": " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw error.apply("cannot read the base's files: " + e.getCause().getMessage());
        }
        if (status != 0) {
            String message = shell.stderr.isEmpty() ? "exit status " + status : shell.stderr.get(shell.stderr.size() - 1);
            throw error(file, run, failing(message, first), message);
        }
        List<LayerEntry> entries = tree.finishLayer(scratch.resolve("content"));
        return entries.isEmpty() ? null : LayerSource.prepared(scratch, entries);
    }

    /** The command a message comes from ({@code rm: cannot …} → rm), for the error's {@code RUN NAME …}. */
    private static String failing(String message, String fallback) {
        int colon = message.indexOf(": ");
        String name = colon > 0 ? message.substring(0, colon) : fallback;
        return name.startsWith("/bin/sh") || name.contains(" ") ? fallback : name;
    }

    static InvalidInputException error(String file, Instruction run, String name, String message) {
        return new InvalidInputException(file + ":" + run.line() + ": RUN " + name + " …: " + message);
    }
}
