package dev.kiln.internal.dockerfile;

/**
 * A command of a {@code RUN} failed as it would in a container: {@code message} is what the shell
 * or the command prints ({@code rm: cannot remove '/x': No such file or directory}).
 */
final class ShellError extends RuntimeException {
    /** The C library's wording of the errors a file operation can meet. */
    enum Errno {
        ENOENT("No such file or directory"), ENOTDIR("Not a directory"), EEXIST("File exists"), EACCES("Permission denied"),
        EPERM("Operation not permitted"), EISDIR("Is a directory"), ENOTEMPTY("Directory not empty"),
        ELOOP("Too many levels of symbolic links"), EINVAL("Invalid argument");

        final String text;

        Errno(String text) {
            this.text = text;
        }
    }

    final Errno errno;

    ShellError(String message) {
        super(message, null, false, false);
        this.errno = null;
    }

    ShellError(Errno errno) {
        super(errno.text, null, false, false);
        this.errno = errno;
    }
}
