package dev.kiln.internal.layer;

import java.nio.file.Path;

/**
 * One entry of a layer: its path in the image (relative to {@code /}, no trailing slash), type,
 * permission bits (setuid, setgid and sticky included when known), size, link target (a symbolic
 * link's target, or for a hard link the path it links to), the file to read for content, and its
 * owner ({@code null}: the {@link LayerSource}'s). A whiteout is a {@link Type#FILE} named
 * {@code .wh.NAME} with no content.
 */
public record LayerEntry(String path, Type type, int mode, long size, String linkTarget, Path file, Integer uid, Integer gid) {
    /** What an entry is. */
    public enum Type { DIRECTORY, FILE, SYMLINK, HARDLINK }

    static LayerEntry directory(String path, int mode) {
        return new LayerEntry(path, Type.DIRECTORY, mode, 0, null, null, null, null);
    }

    static LayerEntry file(String path, int mode, long size, Path file) {
        return new LayerEntry(path, Type.FILE, mode, size, null, file, null, null);
    }

    static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Type.SYMLINK, 0777, 0, target, null, null, null);
    }

    /** This entry with its own owner. */
    public LayerEntry ownedBy(int ownerUid, int ownerGid) {
        return new LayerEntry(path, type, mode, size, linkTarget, file, ownerUid, ownerGid);
    }

    /** The owner's uid: the entry's own, else the source's. */
    int uid(LayerSource source) {
        return uid != null ? uid : source.uid();
    }

    int gid(LayerSource source) {
        return gid != null ? gid : source.gid();
    }
}
