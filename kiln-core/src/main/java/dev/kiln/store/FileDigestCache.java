package dev.kiln.store;

import dev.kiln.image.Digest;
import dev.kiln.layer.ContentDigests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Content digests of the files under one layer source, remembered with each file's stat (inode,
 * device, size, mtime and ctime, in nanoseconds), as git's index does: a file whose stat is
 * unchanged is not read again. ctime cannot be set back by users (unlike mtime), so rewriting a file
 * with the same size and a restored mtime is still noticed. A file changed less than
 * {@link #SETTLE} ago is hashed but not remembered: a write in the same clock tick as the stat
 * could otherwise go unseen. Kept in one small text file per source directory, replaced
 * atomically; losing or corrupting it only costs a re-hash. On file systems without Unix
 * attributes every file is hashed.
 */
public final class FileDigestCache implements ContentDigests, AutoCloseable {
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final String ATTRIBUTES = "unix:ino,dev,size,lastModifiedTime,ctime";

    private final Path file;
    private final Clock clock;
    private final Map<String, Entry> known;
    private final Map<String, Entry> seen = new HashMap<>();
    private boolean changed;

    private record Entry(long inode, long device, long size, long mtimeNanos, long ctimeNanos, String sha256) {
        String line(String path) {
            return inode + " " + device + " " + size + " " + mtimeNanos + " " + ctimeNanos + " " + sha256 + " " + path + "\n";
        }

        boolean sameStat(Entry other) {
            return inode == other.inode && device == other.device && size == other.size
                    && mtimeNanos == other.mtimeNanos && ctimeNanos == other.ctimeNanos;
        }
    }

    FileDigestCache(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        this.known = load(file);
    }

    @Override
    public String sha256(Path path, Supplier<String> hash) {
        String key = path.toAbsolutePath().normalize().toString();
        Entry stat = stat(path);
        if (stat == null || key.indexOf('\n') >= 0) {
            return hash.get();
        }
        Entry cached = known.get(key);
        if (cached != null && cached.sameStat(stat)) {
            seen.put(key, cached);
            return cached.sha256();
        }
        String sha256 = hash.get();
        long settledBefore = TimeUnit.MILLISECONDS.toNanos(clock.millis() - SETTLE.toMillis());
        if (stat.mtimeNanos() < settledBefore && stat.ctimeNanos() < settledBefore) {
            seen.put(key, new Entry(stat.inode(), stat.device(), stat.size(), stat.mtimeNanos(), stat.ctimeNanos(), sha256));
            changed = true;
        }
        return sha256;
    }

    /** Writes what this run learned; files not seen this time are forgotten. */
    @Override
    public void close() {
        if (!changed && seen.size() == known.size()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        seen.forEach((path, entry) -> text.append(entry.line(path)));
        try {
            BlobStore.replaceAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw BlobStore.storeFailure("remembering file digests", e);
        }
    }

    /** The file name for a source directory: the digest of its absolute path. */
    static String nameFor(Path source) {
        return Digest.sha256(source.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)).hex();
    }

    private static Entry stat(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES);
            return new Entry((Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("size"),
                    nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")), null);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }

    private static Map<String, Entry> load(Path file) {
        Map<String, Entry> entries = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            return entries;
        }
        for (String line : lines) {
            String[] f = line.split(" ", 7);
            if (f.length != 7 || f[5].length() != 64) {
                return new HashMap<>();
            }
            try {
                entries.put(f[6], new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4]), f[5]));
            } catch (NumberFormatException e) {
                return new HashMap<>();
            }
        }
        return entries;
    }
}
