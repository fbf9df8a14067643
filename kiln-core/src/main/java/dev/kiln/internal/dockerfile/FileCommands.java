package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellError.Errno;

import java.util.List;
import java.util.function.Consumer;

/**
 * {@code mkdir}, {@code rm}, {@code rmdir}, {@code touch}, {@code chmod}, {@code chown} and {@code chgrp}
 * on the image's tree, with GNU coreutils' and dash's results and messages
 * (in the C locale a container has): each operand is tried, a failing one is reported and makes the exit
 * status 1, the others still happen.
 */
final class FileCommands {
    private FileCommands() {
    }

    static int run(RunShell sh, String program, List<String> args) {
        Options o = Options.parse(program, args);
        return switch (program) {
            case "mkdir" -> each(sh, o.operands, program, a -> mkdir(sh, a, o));
            case "rm" -> rm(sh, o);
            case "rmdir" -> each(sh, o.operands, program, a -> rmdir(sh, a, o.has('p')));
            case "touch" -> each(sh, o.operands, program, a -> touch(sh, a, o.has('c')));
            case "chmod" -> chmod(sh, o);
            case "chown", "chgrp" -> chown(sh, program, o);
            default -> throw new ShellError(Options.notAFileOperation(program));
        };
    }

    /** Runs {@code action} per operand; a missing operand is the command's usage error. */
    static int each(RunShell sh, List<String> operands, String program, Consumer<String> action) {
        if (operands.isEmpty()) {
            throw new ShellError(program + ": missing operand");
        }
        int status = 0;
        for (String operand : operands) {
            try {
                action.accept(operand);
            } catch (ShellError e) {
                sh.stderr.add(e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    /** {@code arg} resolved (the last link followed or not); the user must be able to reach it. */
    static String locate(RunShell sh, String arg, boolean followLast) {
        String path = sh.tree.resolve(sh.cwd, arg, followLast);
        sh.requireSearch(path);
        return path;
    }

    /** {@code arg} resolved to something that exists, else the command's "cannot access" error. */
    private static String existing(RunShell sh, String program, String arg, boolean followLast) {
        try {
            String path = locate(sh, arg, followLast);
            if (sh.tree.get(path) == null) {
                throw new ShellError(Errno.ENOENT);
            }
            return path;
        } catch (ShellError e) {
            throw fail(program, "cannot access", arg, e.errno);
        }
    }

    static ShellError fail(String program, String what, String arg, Errno errno) {
        return new ShellError(program + ": " + what + " '" + arg + "': " + errno.text);
    }

    /** {@link #locate}, failing as {@code program} reports it: {@code program: what 'arg': reason}. */
    static String locate(RunShell sh, String arg, boolean followLast, String program, String what) {
        try {
            return locate(sh, arg, followLast);
        } catch (ShellError e) {
            throw fail(program, what, arg, e.errno);
        }
    }

    /** {@link #locate(RunShell, String, boolean, String, String)} of a path that must exist. */
    static String locateExisting(RunShell sh, String arg, boolean followLast, String program, String what) {
        String path = locate(sh, arg, followLast, program, what);
        if (sh.tree.get(path) == null) {
            throw fail(program, what, arg, Errno.ENOENT);
        }
        return path;
    }

    private static void mkdir(RunShell sh, String arg, Options o) {
        String modeSpec = o.values.get('m');
        if (modeSpec != null && !Modes.isMode(modeSpec)) {
            throw new ShellError("mkdir: invalid mode '" + modeSpec + "'");
        }
        int mode = modeSpec == null ? 0777 & ~RunShell.UMASK : Modes.apply(modeSpec, 0777 & ~RunShell.UMASK, true, RunShell.UMASK);
        if (o.has('p')) {
            // each missing directory on the way is made (0755, the user's); an existing one is left as it is
            String[] parts = arg.split("/");
            StringBuilder sofar = new StringBuilder(arg.startsWith("/") ? "/" : "");
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].isEmpty()) {
                    continue;
                }
                sofar.append(sofar.length() == 0 || sofar.charAt(sofar.length() - 1) == '/' ? "" : "/").append(parts[i]);
                boolean last = arg.substring(sofar.length()).replace("/", "").isEmpty();
                String path = locate(sh, sofar.toString(), true, "mkdir", "cannot create directory");
                char type = sh.tree.typeOf(path);
                if (type == 'd') {
                    continue;
                }
                if (type != 0) {
                    throw fail("mkdir", "cannot create directory", last ? arg : sofar.toString(), last ? Errno.EEXIST : Errno.ENOTDIR);
                }
                create(sh, path, last ? mode : (0777 & ~RunShell.UMASK) | 0300, sofar.toString());
            }
            return;
        }
        String path = locate(sh, arg, false, "mkdir", "cannot create directory");
        if (sh.tree.typeOf(path) != 0) {
            throw fail("mkdir", "cannot create directory", arg, Errno.EEXIST);
        }
        create(sh, path, mode, arg);
    }

    private static void create(RunShell sh, String path, int mode, String arg) {
        String parent = ImageTree.parent(path);
        try {
            sh.requireWrite(parent, null);
        } catch (ShellError e) {
            throw fail("mkdir", "cannot create directory", arg, e.errno);
        }
        sh.tree.put(path, sh.newInode('d', mode, sh.tree.get(parent)));
    }

    private static int rm(RunShell sh, Options o) {
        if (o.operands.isEmpty() && !o.has('f')) {
            throw new ShellError("rm: missing operand");
        }
        int status = 0;
        for (String arg : o.operands) {
            try {
                String name = arg.replaceAll("/+$", "");
                if (name.equals(".") || name.equals("..") || name.endsWith("/.") || name.endsWith("/..")) {
                    throw new ShellError("rm: refusing to remove '.' or '..' directory: skipping '" + arg + "'");
                }
                String path;
                try {
                    path = locate(sh, arg, false);
                } catch (ShellError e) {
                    if (e.errno == Errno.ENOENT && o.has('f')) {
                        continue;
                    }
                    throw fail("rm", "cannot remove", arg, e.errno);
                }
                Inode inode = sh.tree.get(path);
                if (path.isEmpty() && o.has('r') || path.isEmpty() && o.has('R')) {
                    throw new ShellError("rm: it is dangerous to operate recursively on '/'");
                }
                if (inode == null) {
                    if (o.has('f')) {
                        continue;
                    }
                    throw fail("rm", "cannot remove", arg, Errno.ENOENT);
                }
                boolean recursive = o.has('r') || o.has('R');
                if (inode.isDirectory() && !recursive && (!o.has('d') || !sh.tree.children(path).isEmpty())) {
                    throw fail("rm", "cannot remove", arg, o.has('d') ? Errno.ENOTEMPTY : Errno.EISDIR);
                }
                if (path.isEmpty()) {
                    throw fail("rm", "cannot remove", arg, Errno.EISDIR);
                }
                try {
                    checkRemovable(sh, path, inode);
                } catch (ShellError e) {
                    throw fail("rm", "cannot remove", arg, e.errno);
                }
                sh.tree.remove(path);
            } catch (ShellError e) {
                sh.stderr.add(e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    /** A non-root user needs write permission on the parent, and on every directory it empties. */
    static void checkRemovable(RunShell sh, String path, Inode inode) {
        sh.requireWrite(ImageTree.parent(path), inode);
        if (!sh.user().isRoot() && inode.isDirectory()) {
            for (String child : sh.tree.children(path)) {
                String p = path + "/" + child;
                checkRemovable(sh, p, sh.tree.get(p));
            }
        }
    }

    private static void rmdir(RunShell sh, String arg, boolean parents) {
        String current = arg;
        while (true) {
            if (current.replace("/", "").isEmpty()) {
                // rmdir -p /a/b goes on to /, which no process may remove
                throw new ShellError("rmdir: failed to remove directory '" + current + "': Device or resource busy");
            }
            String path = locate(sh, current, false, "rmdir", "failed to remove");
            Inode inode = sh.tree.get(path);
            Errno problem = inode == null ? Errno.ENOENT : !inode.isDirectory() ? Errno.ENOTDIR
                    : !sh.tree.children(path).isEmpty() ? Errno.ENOTEMPTY : null;
            if (problem != null) {
                throw fail("rmdir", "failed to remove", current, problem);
            }
            try {
                sh.requireWrite(ImageTree.parent(path), inode);
            } catch (ShellError e) {
                throw fail("rmdir", "failed to remove", current, e.errno);
            }
            sh.tree.remove(path);
            String trimmed = current.replaceAll("/+$", "");
            if (!parents || trimmed.lastIndexOf('/') < 0) {
                return;
            }
            current = trimmed.lastIndexOf('/') == 0 ? "/" : trimmed.substring(0, trimmed.lastIndexOf('/'));
        }
    }

    /** An existing file keeps everything but its times (which a Kiln layer fixes anyway); a missing one is created empty. */
    private static void touch(RunShell sh, String arg, boolean noCreate) {
        String path = locate(sh, arg, true, "touch", "cannot touch");
        Inode inode = sh.tree.get(path);
        if (inode != null) {
            if (!sh.user().isRoot() && inode.uid != sh.user().uid() && !sh.may(inode, 2)) {
                throw fail("touch", "cannot touch", arg, Errno.EACCES);
            }
            return;
        }
        if (noCreate) {
            return;
        }
        String parent = ImageTree.parent(path);
        try {
            sh.requireWrite(parent, null);
        } catch (ShellError e) {
            throw fail("touch", "cannot touch", arg, e.errno);
        }
        sh.tree.put(path, sh.newInode('f', 0666 & ~RunShell.UMASK, sh.tree.get(parent)));
    }

    private static int chmod(RunShell sh, Options o) {
        if (o.operands.size() < 2) {
            throw new ShellError("chmod: missing operand");
        }
        String spec = o.operands.get(0);
        if (!Modes.isMode(spec)) {
            throw new ShellError("chmod: invalid mode: '" + spec + "'");
        }
        return each(sh, o.operands.subList(1, o.operands.size()), "chmod", arg -> {
            String path = existing(sh, "chmod", arg, true);
            walk(sh, path, o.has('R'), p -> {
                Inode inode = sh.tree.get(p);
                if (inode.type == 'l') {
                    return; // links met while recursing are left alone, as chmod -R does
                }
                if (!sh.user().isRoot() && inode.uid != sh.user().uid()) {
                    throw fail("chmod", "changing permissions of", arg, Errno.EPERM);
                }
                int mode = Modes.apply(spec, inode.mode, inode.isDirectory(), RunShell.UMASK);
                if (mode != inode.mode) {
                    sh.tree.writable(p).mode = mode;
                }
            });
        });
    }

    private static int chown(RunShell sh, String program, Options o) {
        if (o.operands.size() < 2) {
            throw new ShellError(program + ": missing operand");
        }
        String spec = o.operands.get(0);
        // numbers need no account file: the image's is read only for names
        boolean numbers = spec.replace(":", "").chars().allMatch(Character::isDigit) && !spec.endsWith(":");
        Accounts accounts = numbers ? Accounts.parse(null, null) : sh.accounts();
        Integer uid = null;
        Integer gid = null;
        String userPart = program.equals("chgrp") ? "" : spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String groupPart = program.equals("chgrp") ? spec : spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : "";
        if (!userPart.isEmpty()) {
            uid = accounts.uid(userPart);
            if (uid < 0) {
                throw new ShellError("chown: invalid user: '" + spec + "' (no such user in the image's /etc/passwd)");
            }
        }
        if (!groupPart.isEmpty()) {
            gid = accounts.gid(groupPart);
            if (gid < 0) {
                throw new ShellError(program + ": invalid group: '" + spec + "' (no such group in the image's /etc/group)");
            }
        } else if (spec.endsWith(":") && uid != null) {
            gid = accounts.loginGroup(uid);
        }
        Integer newUid = uid;
        Integer newGid = gid;
        boolean follow = !o.has('h');
        return each(sh, o.operands.subList(1, o.operands.size()), program, arg -> {
            String path = existing(sh, program, arg, follow);
            walk(sh, path, o.has('R'), p -> {
                Inode inode = sh.tree.get(p);
                int u = newUid != null ? newUid : inode.uid;
                int g = newGid != null ? newGid : inode.gid;
                if (!sh.user().isRoot() && (u != inode.uid || inode.uid != sh.user().uid() || !sh.groups().contains(g))) {
                    throw fail(program, "changing " + (newUid != null ? "ownership" : "group") + " of", arg, Errno.EPERM);
                }
                if (u != inode.uid || g != inode.gid) {
                    Inode w = sh.tree.writable(p);
                    w.uid = u;
                    w.gid = g;
                    if (w.type == 'f') {
                        // the kernel clears setuid, and setgid of a group-executable file, when the owner changes
                        w.mode &= (w.mode & 010) != 0 ? ~06000 : ~04000;
                    }
                }
            });
        });
    }

    /** Visits {@code path}, then (when {@code recursive}) what it holds, not following links below it. */
    static void walk(RunShell sh, String path, boolean recursive, Consumer<String> visit) {
        visit.accept(path);
        if (recursive && sh.tree.typeOf(path) == 'd') {
            for (String child : sh.tree.children(path)) {
                walk(sh, path.isEmpty() ? child : path + "/" + child, true, visit);
            }
        }
    }
}
