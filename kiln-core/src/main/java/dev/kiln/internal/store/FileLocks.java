package dev.kiln.internal.store;

import dev.kiln.error.StoreException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Locks that hold across threads and processes. The JDK's file locks belong to the whole JVM (a
 * second lock on the same file from the same JVM throws), so each file gets an in-JVM read/write
 * lock, and the OS lock is taken by the first in-JVM holder and released by the last.
 *
 * <p>Waiting for the OS lock polls instead of blocking: POSIX record locks belong to processes, so
 * two processes whose threads wait on each other's blob locks look like a deadlock to the kernel
 * (EDEADLK) although no thread waits for itself.
 */
final class FileLocks {
    private static final Map<Path, Entry> ENTRIES = new ConcurrentHashMap<>();

    private static final class Entry {
        final ReentrantReadWriteLock local = new ReentrantReadWriteLock(true);
        int sharedHolders;
        FileChannel channel;
        FileLock osLock;
    }

    private FileLocks() {
    }

    /** Several holders at once, in this and other processes; excludes {@link #exclusive}. */
    static Lease shared(Path lockFile, Runnable onWait) {
        Entry entry = entry(lockFile);
        entry.local.readLock().lock();
        try {
            synchronized (entry) {
                if (entry.sharedHolders == 0) {
                    lockOs(entry, lockFile, true, onWait);
                }
                entry.sharedHolders++;
            }
        } catch (RuntimeException e) {
            entry.local.readLock().unlock();
            throw e;
        }
        return () -> {
            synchronized (entry) {
                if (--entry.sharedHolders == 0) {
                    unlockOs(entry);
                }
            }
            entry.local.readLock().unlock();
        };
    }

    /** One holder in all processes. */
    static Lease exclusive(Path lockFile, Runnable onWait) {
        Entry entry = entry(lockFile);
        entry.local.writeLock().lock();
        try {
            synchronized (entry) {
                lockOs(entry, lockFile, false, onWait);
            }
        } catch (RuntimeException e) {
            entry.local.writeLock().unlock();
            throw e;
        }
        return releaseExclusive(entry);
    }

    /** {@link #exclusive}, but only if nobody, in this process or another, holds the lock now. */
    static Optional<Lease> tryExclusive(Path lockFile) {
        Entry entry = entry(lockFile);
        if (!entry.local.writeLock().tryLock()) {
            return Optional.empty();
        }
        boolean locked;
        try {
            synchronized (entry) {
                locked = lockOs(entry, lockFile, false, null);
            }
        } catch (RuntimeException e) {
            entry.local.writeLock().unlock();
            throw e;
        }
        if (!locked) {
            entry.local.writeLock().unlock();
            return Optional.empty();
        }
        return Optional.of(releaseExclusive(entry));
    }

    private static Lease releaseExclusive(Entry entry) {
        return () -> {
            synchronized (entry) {
                unlockOs(entry);
            }
            entry.local.writeLock().unlock();
        };
    }

    private static Entry entry(Path lockFile) {
        return ENTRIES.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new Entry());
    }

    /**
     * Takes the OS lock, waiting (after calling {@code onWait}) while another process holds it; with
     * {@code onWait} null, does not wait and returns whether it got the lock.
     */
    private static boolean lockOs(Entry entry, Path lockFile, boolean shared, Runnable onWait) {
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
                long pause = 5;
                if (lock == null) {
                    if (onWait == null) {
                        channel.close();
                        return false;
                    }
                    onWait.run();
                }
                while (lock == null) {
                    Thread.sleep(pause);
                    pause = Math.min(pause * 2, 100);
                    lock = channel.tryLock(0, Long.MAX_VALUE, shared);
                }
                entry.channel = channel;
                entry.osLock = lock;
                return true;
            } catch (InterruptedException e) {
                channel.close();
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for " + lockFile);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new StoreException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static void unlockOs(Entry entry) {
        try {
            entry.osLock.release();
            entry.channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock anyway
        } finally {
            entry.osLock = null;
            entry.channel = null;
        }
    }
}
