package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellError.Errno;
import dev.kiln.internal.dockerfile.ShellScript.Command;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one {@code RUN}'s commands on the {@link ImageTree} as {@code /bin/sh -c} would in a container:
 * the RUN's environment, working directory and user (with the permission checks the kernel makes for
 * that user; root passes them all), umask 022, {@code &&} skipping on failure, {@code ;} going on, the
 * exit status of the last command deciding. What the commands print on stderr is kept for the error.
 */
final class RunShell {
    static final int UMASK = 022;
    static final String ROOT_HOME = "/root";

    final ImageTree tree;
    final Map<String, String> env;
    final List<String> stderr = new ArrayList<>();
    String cwd;
    private final String userSpec;
    private final java.util.function.BiFunction<String, String, RuntimeException> unknownUser;
    private Accounts.User user;
    private boolean errexit;

    /**
     * @param userSpec    the {@code USER} in effect (null: root)
     * @param unknownUser the error for a name no account file has (the name, the file consulted)
     */
    RunShell(ImageTree tree, Map<String, String> env, String workdir, String userSpec,
             java.util.function.BiFunction<String, String, RuntimeException> unknownUser) {
        this.tree = tree;
        this.env = env;
        this.cwd = workdir == null ? "" : strip(workdir);
        this.userSpec = userSpec;
        this.unknownUser = unknownUser;
    }

    private static String strip(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The image's accounts as they are now (an earlier RUN may have written them). */
    Accounts accounts() {
        return Accounts.read(tree);
    }

    /** The RUN's user; root without reading any account file. */
    Accounts.User user() {
        if (user == null) {
            boolean root = userSpec == null || userSpec.isEmpty() || Set.of("root", "0", "root:root", "0:0").contains(userSpec);
            user = root ? new Accounts.User(0, 0, Set.of(0), ROOT_HOME) : accounts().user(userSpec, unknownUser);
        }
        return user;
    }

    RuntimeException unknown(String what, String file) {
        return unknownUser.apply(what, file);
    }

    /** A variable as the RUN's process sees it: the environment, and HOME from the user's account when unset (as runc sets it). */
    String variable(String name) {
        String value = env.get(name);
        return value == null && name.equals("HOME") ? user().home() : value;
    }

    /** Runs an exec-form RUN: the program and its arguments as given, no shell involved. */
    int runExec(List<String> argv) {
        List<ShellScript.Word> words = argv.stream()
                .map(a -> new ShellScript.Word(List.of(new ShellScript.Literal(a, true)))).toList();
        return run(List.of(new Command(words, null, false, null)));
    }

    /**
     * Makes the working directory where it is missing, as the runtime does before a RUN starts (Buildah and
     * BuildKit make a WORKDIR the user's, 0755, parents included), so that it is part of this RUN's layer.
     */
    void enterWorkdir() {
        String path = "";
        for (String part : cwd.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path = tree.resolve(path, part, true);
            if (tree.typeOf(path) == 0) {
                tree.put(path, newInode('d', 0777 & ~UMASK, tree.get(ImageTree.parent(path))));
            }
        }
    }

    /** Runs the commands; returns the exit status of the last one that ran. */
    int run(List<Command> commands) {
        int status = 0;
        boolean skip = false;
        for (Command command : commands) {
            if (!skip) {
                status = run(command);
                if (status != 0 && errexit) {
                    return status;
                }
            }
            // && runs the next command only after a success; ; always does (a skipped chain keeps its status)
            skip = "&&".equals(command.next()) && status != 0;
        }
        return status;
    }

    private int run(Command command) {
        Expansion expansion = new Expansion(this::variable, tree, cwd);
        List<String> words = expansion.arguments(command.words());
        if (words.isEmpty()) {
            return 0;
        }
        String redirect = command.redirect() == null ? null : expansion.single(command.redirect());
        Output output = null;
        if (redirect != null && !redirect.equals("/dev/null")) {
            output = open(redirect, command.append());
            if (output == null) {
                return 2;
            }
        }
        String name = words.get(0);
        int slash = name.lastIndexOf('/');
        String program = slash >= 0 && (name.startsWith("/bin/") || name.startsWith("/usr/bin/")) ? name.substring(slash + 1) : name;
        StringBuilder out = new StringBuilder();
        List<String> args = words.subList(1, words.size());
        int status;
        try {
            status = switch (program) {
                case "true", ":" -> 0;
                case "false" -> 1;
                case "set" -> set(args);
                case "cd" -> cd(args);
                case "echo", "printf" -> PrintCommands.print(program, args, out);
                case "cp", "mv", "ln" -> CopyCommands.run(this, program, args);
                default -> FileCommands.run(this, program, args);
            };
        } catch (ShellError e) {
            stderr.add(e.getMessage());
            status = 1;
        }
        if (output != null) {
            output.write(out.toString());
        }
        return status;
    }

    private int set(List<String> args) {
        for (String arg : args) {
            if (arg.matches("-[ex]+")) {
                errexit |= arg.contains("e");
            } else if (!arg.matches("\\+[ex]+")) {
                throw new ShellError("/bin/sh: 1: set: Illegal option " + arg);
            } else if (arg.contains("e")) {
                errexit = false;
            }
        }
        return 0;
    }

    private int cd(List<String> args) {
        String target = args.isEmpty() ? env.getOrDefault("HOME", user().home()) : args.get(0);
        try {
            String resolved = tree.resolve(cwd, target, true);
            if (tree.typeOf(resolved) == 'd') {
                requireSearch(resolved + "/x");
                cwd = resolved;
                return 0;
            }
        } catch (ShellError e) {
            // as the shell says it, below
        }
        stderr.add("/bin/sh: 1: cd: can't cd to " + target);
        return 2;
    }

    /** A file a redirect writes: opened (created, or truncated) before the command runs, as the shell does. */
    private final class Output {
        final String path;

        Output(String path) {
            this.path = path;
        }

        void write(String text) {
            if (text.isEmpty()) {
                return;
            }
            Inode inode = tree.writable(path);
            byte[] old = tree.read(inode);
            byte[] add = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] all = java.util.Arrays.copyOf(old, old.length + add.length);
            System.arraycopy(add, 0, all, old.length, add.length);
            inode.content = Inode.Content.of(all);
            inode.size = all.length;
        }
    }

    private Output open(String target, boolean append) {
        String path;
        try {
            path = tree.resolve(cwd, target, true);
            requireSearch(path);
        } catch (ShellError e) {
            stderr.add("/bin/sh: 1: cannot create " + target + ": " + (e.errno == Errno.ENOENT ? "Directory nonexistent" : e.getMessage()));
            return null;
        }
        Inode inode = tree.get(path);
        if (inode != null && inode.isDirectory()) {
            stderr.add("/bin/sh: 1: cannot create " + target + ": Is a directory");
            return null;
        }
        if (inode == null) {
            Inode parent = tree.get(ImageTree.parent(path));
            if (!may(parent, 3)) {
                stderr.add("/bin/sh: 1: cannot create " + target + ": Permission denied");
                return null;
            }
            tree.put(path, newInode('f', 0666 & ~UMASK, parent));
        } else {
            if (!may(inode, 2)) {
                stderr.add("/bin/sh: 1: cannot create " + target + ": Permission denied");
                return null;
            }
            if (!append && inode.size > 0) {
                Inode writable = tree.writable(path);
                writable.content = null;
                writable.size = 0;
            }
        }
        return new Output(path);
    }

    /** A new file, directory or link of the user's, in {@code parent} (whose setgid bit passes its group on). */
    Inode newInode(char type, int mode, Inode parent) {
        Accounts.User u = user();
        int gid = u.gid();
        int m = mode;
        if (parent != null && (parent.mode & 02000) != 0) {
            gid = parent.gid;
            if (type == 'd') {
                m |= 02000;
            }
        }
        return new Inode(type, m, u.uid(), gid, 0, null, null, 0);
    }

    /** Whether the user has the permission bits {@code want} (4 read, 2 write, 1 execute/search) on {@code inode}. */
    boolean may(Inode inode, int want) {
        if (inode == null) {
            return false;
        }
        Accounts.User u = user();
        if (u.isRoot()) {
            // root passes every check but execute, which needs one execute bit on a file
            return (want & 1) == 0 || inode.isDirectory() || (inode.mode & 0111) != 0;
        }
        int bits = u.uid() == inode.uid ? inode.mode >> 6 : u.groups().contains(inode.gid) ? inode.mode >> 3 : inode.mode;
        return (bits & want) == want;
    }

    /** Fails with EACCES unless the user may search every directory above {@code path}. */
    void requireSearch(String path) {
        if (user().isRoot()) {
            return;
        }
        for (String dir = ImageTree.parent(path); dir != null; dir = ImageTree.parent(dir)) {
            if (!may(tree.get(dir), 1)) {
                throw new ShellError(Errno.EACCES);
            }
        }
    }

    /** Fails unless the user may add or remove names in {@code dir} (removing {@code victim}, when given, under the sticky bit). */
    void requireWrite(String dir, Inode victim) {
        if (user().isRoot()) {
            return;
        }
        Inode d = tree.get(dir);
        if (!may(d, 3)) {
            throw new ShellError(Errno.EACCES);
        }
        if (victim != null && (d.mode & 01000) != 0 && d.uid != user().uid() && victim.uid != user().uid()) {
            throw new ShellError(Errno.EPERM);
        }
    }

    /** The groups a spec names for {@code chown}/{@code chgrp}. */
    Set<Integer> groups() {
        return new LinkedHashSet<>(user().groups());
    }
}
