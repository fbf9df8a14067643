package dev.kiln.internal.layer;

import java.nio.file.Path;

/**
 * One entry of a layer as scanned: its path in the image (relative to {@code /}, no trailing
 * slash), type, permission bits, size, link target and, for content, the file to read.
 */
record LayerEntry(String path, Type type, int mode, long size, String linkTarget, Path file) {
    enum Type { DIRECTORY, FILE, SYMLINK }

    static LayerEntry directory(String path, int mode) {
        return new LayerEntry(path, Type.DIRECTORY, mode, 0, null, null);
    }

    static LayerEntry file(String path, int mode, long size, Path file) {
        return new LayerEntry(path, Type.FILE, mode, size, null, file);
    }

    static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Type.SYMLINK, 0777, 0, target, null);
    }
}
