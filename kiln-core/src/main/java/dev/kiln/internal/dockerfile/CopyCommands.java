package dev.kiln.internal.dockerfile;

import dev.kiln.internal.dockerfile.ShellError.Errno;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cp}, {@code mv} and {@code ln} within the image, as GNU coreutils does them: a destination that
 * is a directory receives the sources by name; {@code cp} makes new files the user's with the source's mode
 * less the umask ({@code -p} and {@code -a} keep mode and, for root, owner); {@code cp -r} copies links as
 * links; {@code mv} keeps everything; {@code ln} makes symbolic links, and hard links between files the
 * build itself wrote.
 */
final class CopyCommands {
    private CopyCommands() {
    }

    static int run(RunShell sh, String program, List<String> args) {
        Options o = Options.parse(program, args);
        if (program.equals("ln")) {
            return ln(sh, o);
        }
        List<String> ops = o.operands;
        if (ops.isEmpty()) {
            throw new ShellError(program + ": missing file operand");
        }
        if (ops.size() == 1) {
            throw new ShellError(program + ": missing destination file operand after '" + ops.get(0) + "'");
        }
        List<String> sources = ops.subList(0, ops.size() - 1);
        String dest = ops.get(ops.size() - 1);
        boolean intoDirectory = !o.has('T') && isDirectory(sh, dest, true);
        if (sources.size() > 1 && !intoDirectory) {
            throw new ShellError(program + ": target '" + dest + "' is not a directory");
        }
        return FileCommands.each(sh, sources, program, source -> {
            String target = intoDirectory ? (dest.endsWith("/") ? dest : dest + "/") + baseName(source) : dest;
            if (program.equals("cp")) {
                cp(sh, o, source, target);
            } else {
                mv(sh, source, target);
            }
        });
    }

    private static boolean isDirectory(RunShell sh, String arg, boolean followLast) {
        try {
            return sh.tree.typeOf(sh.tree.resolve(sh.cwd, arg, followLast)) == 'd';
        } catch (ShellError e) {
            return false;
        }
    }

    static String baseName(String arg) {
        String trimmed = arg.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static void cp(RunShell sh, Options o, String source, String target) {
        boolean recursive = o.has('r') || o.has('R') || o.has('a');
        boolean preserve = o.has('p') || o.has('a');
        boolean links = recursive && !o.has('L') || o.has('P') || o.has('d') || o.has('a');
        String from = FileCommands.locateExisting(sh, source, !links, "cp", "cannot stat");
        Inode src = sh.tree.get(from);
        if (src.isDirectory() && !recursive) {
            throw new ShellError("cp: -r not specified; omitting directory '" + source + "'");
        }
        String to = FileCommands.locate(sh, target, !src.isDirectory() && src.type != 'l', "cp", "cannot create regular file");
        if (src.isDirectory() && (to.equals(from) || to.startsWith(from + "/") || from.isEmpty())) {
            throw new ShellError("cp: cannot copy a directory, '" + source + "', into itself, '" + target + "'");
        }
        copy(sh, from, to, target, source, preserve);
    }

    private static void copy(RunShell sh, String from, String to, String target, String source, boolean preserve) {
        Inode src = sh.tree.get(from);
        Inode existing = sh.tree.get(to);
        boolean keepOwner = preserve && sh.user().isRoot();
        if (src.isDirectory()) {
            if (existing != null && !existing.isDirectory()) {
                throw new ShellError("cp: cannot overwrite non-directory '" + target + "' with directory '" + source + "'");
            }
            List<String> children = sh.tree.children(from);
            if (existing == null) {
                sh.requireWrite(ImageTree.parent(to), null);
                Inode dir = sh.newInode('d', preserve ? src.mode : src.mode & 0777 & ~RunShell.UMASK, sh.tree.get(ImageTree.parent(to)));
                ownAs(dir, src, keepOwner);
                sh.tree.put(to, dir);
            } else if (preserve) {
                Inode w = sh.tree.writable(to);
                w.mode = src.mode;
                ownAs(w, src, keepOwner);
            }
            for (String child : children) {
                copy(sh, join(from, child), join(to, child), target + "/" + child, source + "/" + child, preserve);
            }
            return;
        }
        if (existing != null && existing.isDirectory()) {
            throw new ShellError("cp: cannot overwrite directory '" + target + "' with non-directory");
        }
        if (src.type == 'l') {
            if (existing != null) {
                sh.tree.remove(to);
            }
            sh.requireWrite(ImageTree.parent(to), null);
            Inode link = sh.newInode('l', 0777, sh.tree.get(ImageTree.parent(to)));
            link.link = src.link;
            ownAs(link, src, keepOwner);
            sh.tree.put(to, link);
            return;
        }
        if (!sh.user().isRoot() && !sh.may(src, 4)) {
            throw new ShellError("cp: cannot open '" + source + "' for reading: Permission denied");
        }
        Inode file;
        if (existing != null) {
            if (!sh.may(existing, 2)) {
                throw new ShellError("cp: cannot create regular file '" + target + "': Permission denied");
            }
            file = sh.tree.writable(to);
            if (preserve) {
                file.mode = src.mode;
                ownAs(file, src, keepOwner);
            }
        } else {
            try {
                sh.requireWrite(ImageTree.parent(to), null);
            } catch (ShellError e) {
                throw new ShellError("cp: cannot create regular file '" + target + "': " + e.errno.text);
            }
            file = sh.newInode('f', preserve ? src.mode : src.mode & 0777 & ~RunShell.UMASK, sh.tree.get(ImageTree.parent(to)));
            ownAs(file, src, keepOwner);
            sh.tree.put(to, file);
        }
        file.content = src.content;
        file.size = src.size;
    }

    private static void ownAs(Inode inode, Inode src, boolean keepOwner) {
        if (keepOwner) {
            inode.uid = src.uid;
            inode.gid = src.gid;
        }
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static void mv(RunShell sh, String source, String target) {
        String from = FileCommands.locateExisting(sh, source, false, "mv", "cannot stat");
        String to;
        try {
            to = FileCommands.locate(sh, target, false);
        } catch (ShellError e) {
            throw new ShellError("mv: cannot move '" + source + "' to '" + target + "': " + e.errno.text);
        }
        Inode src = sh.tree.get(from);
        Inode existing = sh.tree.get(to);
        if (to.equals(from)) {
            throw new ShellError("mv: '" + source + "' and '" + target + "' are the same file");
        }
        if (to.startsWith(from + "/") || from.isEmpty()) {
            throw new ShellError("mv: cannot move '" + source + "' to a subdirectory of itself, '" + target + "'");
        }
        if (existing != null) {
            if (src.isDirectory() && !existing.isDirectory()) {
                throw new ShellError("mv: cannot overwrite non-directory '" + target + "' with directory '" + source + "'");
            }
            if (!src.isDirectory() && existing.isDirectory()) {
                throw new ShellError("mv: cannot overwrite directory '" + target + "' with non-directory");
            }
            if (existing.isDirectory() && !sh.tree.children(to).isEmpty()) {
                throw new ShellError("mv: cannot move '" + source + "' to '" + target + "': Directory not empty");
            }
        }
        try {
            sh.requireWrite(ImageTree.parent(from), src);
            sh.requireWrite(ImageTree.parent(to), existing);
        } catch (ShellError e) {
            throw new ShellError("mv: cannot move '" + source + "' to '" + target + "': " + e.errno.text);
        }
        // the whole subtree moves with its inodes (hard links stay linked); then the source goes
        List<String> paths = new ArrayList<>();
        FileCommands.walk(sh, from, true, paths::add);
        Map<Inode, Inode> moved = new IdentityHashMap<>();
        List<Inode> inodes = paths.stream().map(sh.tree::get).toList();
        if (existing != null) {
            sh.tree.remove(to);
        }
        for (int i = 0; i < paths.size(); i++) {
            Inode inode = inodes.get(i);
            Inode copy = moved.computeIfAbsent(inode, n -> n.copy(n.layer));
            sh.tree.put(to + paths.get(i).substring(from.length()), copy);
        }
        sh.tree.remove(from);
    }

    private static int ln(RunShell sh, Options o) {
        List<String> ops = o.operands;
        if (ops.isEmpty()) {
            throw new ShellError("ln: missing file operand");
        }
        boolean symbolic = o.has('s');
        String kind = symbolic ? "symbolic link" : "hard link";
        List<String> targets = ops.size() == 1 ? ops : ops.subList(0, ops.size() - 1);
        String dest = ops.size() == 1 ? "." : ops.get(ops.size() - 1);
        boolean intoDirectory = ops.size() == 1 || !o.has('T') && isDirectory(sh, dest, !o.has('n'));
        if (targets.size() > 1 && !intoDirectory) {
            throw new ShellError("ln: target '" + dest + "' is not a directory");
        }
        return FileCommands.each(sh, targets, "ln", target -> {
            String linkArg = intoDirectory ? (ops.size() == 1 ? baseName(target) : dest.replaceAll("/+$", "") + "/" + baseName(target)) : dest;
            String link = FileCommands.locate(sh, linkArg, false, "ln", "failed to create " + kind);
            Inode shared = null;
            if (!symbolic) {
                String from = FileCommands.locateExisting(sh, target, false, "ln", "failed to access");
                Inode src = sh.tree.get(from);
                if (src.isDirectory()) {
                    throw new ShellError("ln: " + target + ": hard link not allowed for directory");
                }
                if (src.layer < 0) {
                    throw new ShellError("ln: '" + target + "' is a file of the base: Kiln makes hard links only between files this "
                            + "build wrote (use cp or ln -s)");
                }
                shared = sh.tree.writable(from);
            }
            Inode existing = sh.tree.get(link);
            if (existing != null) {
                if (!o.has('f')) {
                    throw new ShellError("ln: failed to create " + kind + " '" + linkArg + "': File exists");
                }
                if (existing.isDirectory()) {
                    throw new ShellError("ln: '" + linkArg + "': cannot overwrite directory");
                }
            }
            try {
                sh.requireWrite(ImageTree.parent(link), existing);
            } catch (ShellError e) {
                throw new ShellError("ln: failed to create " + kind + " '" + linkArg + "': " + e.errno.text);
            }
            if (existing != null) {
                sh.tree.remove(link);
            }
            if (symbolic) {
                Inode inode = sh.newInode('l', 0777, sh.tree.get(ImageTree.parent(link)));
                inode.link = target;
                sh.tree.put(link, inode);
            } else {
                sh.tree.put(link, shared);
            }
        });
    }
}
