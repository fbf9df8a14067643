package dev.kiln.internal.dockerfile;

/**
 * {@code chmod} and {@code mkdir -m} modes as GNU coreutils reads them: octal ({@code 755}, {@code 4755}),
 * or symbolic clauses joined by commas ({@code u+x}, {@code go-w}, {@code a=rX}, {@code +x}, {@code u+s},
 * {@code +t}, {@code g=u}). Without a "who", the umask limits what {@code +} and {@code =} give.
 */
final class Modes {
    private Modes() {
    }

    /** Whether {@code text} is a mode (so that {@code chmod -x} is read as a mode, not an option). */
    static boolean isMode(String text) {
        return text.matches("[0-7]{1,5}") || text.matches("([ugoa]*([-+=]([rwxXst]*|[ugo]))+)(,[ugoa]*([-+=]([rwxXst]*|[ugo]))+)*");
    }

    /**
     * The new mode of a file whose mode is {@code old}; {@code directory} for {@code X} and for GNU's rule that
     * an octal mode of fewer than five digits keeps a directory's setuid and setgid bits.
     */
    static int apply(String spec, int old, boolean directory, int umask) {
        if (spec.matches("[0-7]{1,5}")) {
            int mode = Integer.parseInt(spec, 8) & 07777;
            if (directory && spec.length() < 5) {
                mode |= old & 06000;
            }
            return mode;
        }
        int mode = old & 07777;
        for (String clause : spec.split(",")) {
            int i = 0;
            int who = 0;
            while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
                who |= switch (clause.charAt(i)) {
                    case 'u' -> 04700;
                    case 'g' -> 02070;
                    case 'o' -> 01007;
                    default -> 07777;
                };
                i++;
            }
            boolean masked = who == 0;
            if (masked) {
                who = 07777;
            }
            while (i < clause.length()) {
                char op = clause.charAt(i++);
                int perms = 0;
                int start = i;
                while (i < clause.length() && "-+=".indexOf(clause.charAt(i)) < 0) {
                    char p = clause.charAt(i++);
                    perms |= switch (p) {
                        case 'r' -> 0444;
                        case 'w' -> 0222;
                        case 'x' -> 0111;
                        case 'X' -> directory || (old & 0111) != 0 ? 0111 : 0;
                        case 's' -> 06000;
                        case 't' -> 01000;
                        case 'u' -> copy(mode, 6);
                        case 'g' -> copy(mode, 3);
                        default -> copy(mode, 0); // 'o'
                    };
                }
                boolean copied = i > start && "ugo".indexOf(clause.charAt(start)) >= 0;
                int bits = perms & who;
                if (masked && !copied) {
                    bits &= ~umask | 07000;
                }
                switch (op) {
                    case '+' -> mode |= bits;
                    case '-' -> mode &= ~bits;
                    default -> {
                        // '=': clears the who bits (all but setuid/setgid of a directory), then sets
                        int clear = who & (directory ? 01777 : 07777);
                        mode = (mode & ~clear) | bits;
                    }
                }
            }
        }
        return mode;
    }

    /** The rwx bits at {@code shift} of {@code mode} as a set for u, g and o. */
    private static int copy(int mode, int shift) {
        int rwx = (mode >> shift) & 7;
        return rwx << 6 | rwx << 3 | rwx;
    }
}
