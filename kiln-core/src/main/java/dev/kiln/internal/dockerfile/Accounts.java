package dev.kiln.internal.dockerfile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image's {@code /etc/passwd} and {@code /etc/group}, read as the container runtime reads them to
 * resolve {@code USER}, {@code --chown} and {@code chown} names (BuildKit and runc: first match wins,
 * numbers need no entry). Read from the image's tree as it is at that instruction.
 */
final class Accounts {
    /** A resolved user: uid, primary gid, and the groups it is a member of (primary first). */
    record User(int uid, int gid, Set<Integer> groups, String home) {
        boolean isRoot() {
            return uid == 0;
        }
    }

    private record Passwd(String name, int uid, int gid, String home) {
    }

    private final List<Passwd> users = new ArrayList<>();
    private final Map<String, Integer> groupIds = new LinkedHashMap<>();
    private final Map<Integer, Set<String>> groupMembers = new LinkedHashMap<>();

    private Accounts() {
    }

    /** Parses the two files' contents; {@code null} stands for a file the image lacks. */
    static Accounts parse(byte[] passwd, byte[] group) {
        Accounts accounts = new Accounts();
        for (String[] f : fields(passwd)) {
            if (f.length >= 4 && isNumber(f[2]) && isNumber(f[3])) {
                accounts.users.add(new Passwd(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f.length > 5 ? f[5] : ""));
            }
        }
        for (String[] f : fields(group)) {
            if (f.length >= 3 && isNumber(f[2])) {
                int gid = Integer.parseInt(f[2]);
                accounts.groupIds.putIfAbsent(f[0], gid);
                Set<String> members = accounts.groupMembers.computeIfAbsent(gid, g -> new LinkedHashSet<>());
                if (f.length > 3 && !f[3].isEmpty()) {
                    members.addAll(List.of(f[3].split(",")));
                }
            }
        }
        return accounts;
    }

    /** The accounts of the image as {@code tree} holds them now (an earlier RUN may have written them). */
    static Accounts read(ImageTree tree) {
        return parse(content(tree, "etc/passwd"), content(tree, "etc/group"));
    }

    private static byte[] content(ImageTree tree, String path) {
        try {
            Inode inode = tree.get(tree.resolve("", path, true));
            return inode != null && inode.type == 'f' ? tree.read(inode) : null;
        } catch (ShellError e) {
            return null;
        }
    }

    private static List<String[]> fields(byte[] file) {
        List<String[]> lines = new ArrayList<>();
        if (file != null) {
            for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line.split(":", -1));
                }
            }
        }
        return lines;
    }

    static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() < 10 && text.chars().allMatch(Character::isDigit);
    }

    /** A user name's uid, else -1; a number is itself. */
    int uid(String name) {
        if (isNumber(name)) {
            return Integer.parseInt(name);
        }
        return users.stream().filter(u -> u.name().equals(name)).mapToInt(Passwd::uid).findFirst().orElse(-1);
    }

    /** A group name's gid, else -1; a number is itself. */
    int gid(String name) {
        if (isNumber(name)) {
            return Integer.parseInt(name);
        }
        return groupIds.getOrDefault(name, -1);
    }

    /** The login group of the user with {@code uid}: its passwd entry's, else 0 (as runc does for a number without entry). */
    int loginGroup(int uid) {
        return users.stream().filter(u -> u.uid() == uid).mapToInt(Passwd::gid).findFirst().orElse(0);
    }

    /**
     * {@code COPY --chown=USER[:GROUP]} as BuildKit resolves it: a user name gives its uid and login group, a
     * number gives itself as uid and gid; a group, when given, replaces the gid.
     */
    int[] chownFlag(String spec, java.util.function.BiFunction<String, String, RuntimeException> unknown) {
        String userPart = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String groupPart = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : "";
        int uid = uid(userPart);
        if (uid < 0) {
            throw unknown.apply("user '" + userPart + "'", "/etc/passwd");
        }
        int gid = isNumber(userPart) ? uid : loginGroup(uid);
        if (!groupPart.isEmpty()) {
            gid = gid(groupPart);
            if (gid < 0) {
                throw unknown.apply("group '" + groupPart + "'", "/etc/group");
            }
        }
        return new int[]{uid, gid};
    }

    /**
     * {@code USER}'s value ({@code name}, {@code uid}, with {@code :group} or {@code :gid}) as the runtime
     * resolves it; {@code unknown} is called with the name that no entry has and the file consulted.
     */
    User user(String spec, java.util.function.BiFunction<String, String, RuntimeException> unknown) {
        String userPart = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String groupPart = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : null;
        int uid = uid(userPart);
        if (uid < 0) {
            throw unknown.apply("user '" + userPart + "'", "/etc/passwd");
        }
        Passwd entry = users.stream().filter(u -> isNumber(userPart) ? u.uid() == Integer.parseInt(userPart) : u.name().equals(userPart))
                .findFirst().orElse(null);
        int gid;
        if (groupPart != null) {
            gid = gid(groupPart);
            if (gid < 0) {
                throw unknown.apply("group '" + groupPart + "'", "/etc/group");
            }
        } else {
            gid = entry != null ? entry.gid() : 0;
        }
        Set<Integer> groups = new LinkedHashSet<>();
        groups.add(gid);
        if (groupPart == null && entry != null) {
            // supplementary groups: those that list the user by name (runc does this only without an explicit group)
            groupMembers.forEach((g, members) -> {
                if (members.contains(entry.name())) {
                    groups.add(g);
                }
            });
        }
        return new User(uid, gid, groups, entry != null && !entry.home().isEmpty() ? entry.home() : "/");
    }
}
